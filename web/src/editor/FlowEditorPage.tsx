export function FlowEditorPage() {
  return <h1>Flow editor</h1>;
}
