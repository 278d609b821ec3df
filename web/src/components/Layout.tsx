import { NavLink, Outlet } from "react-router-dom";
import { useAuth } from "../api/auth";

const LINKS = [
  ["/flows", "Flows"],
  ["/channels", "Channels"],
  ["/agents", "Agents"],
  ["/skill-groups", "Skill groups"],
  ["/schedules", "Schedules"],
  ["/knowledge-bases", "Knowledge bases"],
  ["/conversations", "Conversations"],
] as const;
/** Every staff member serves customers here; agents see nothing else. */
const WORKSPACE_LINK = ["/workspace", "Workspace"] as const;

export function Layout() {
  const { user, signOut } = useAuth();
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Flowdesk</div>
        {[...(user?.role === "admin" ? LINKS : []), WORKSPACE_LINK].map(([to, label]) => (
          <NavLink key={to} to={to} className={({ isActive }) => (isActive ? "active" : "")}>
            {label}
          </NavLink>
        ))}
        <div className="sidebar-foot">
          <span className="who">{user?.display_name}</span>
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
