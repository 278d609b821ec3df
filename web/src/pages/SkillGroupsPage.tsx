export function SkillGroupsPage() {
  return <h1>SkillGroups</h1>;
}
