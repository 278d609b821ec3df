from flowdesk.cli import main

main()
