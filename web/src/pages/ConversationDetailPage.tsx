export function ConversationDetailPage() {
  return <h1>ConversationDetail</h1>;
}
