export function ChannelsPage() {
  return <h1>Channels</h1>;
}
