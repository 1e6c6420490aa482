import { NavLink, Route, Routes } from 'react-router';
import { Dashboard } from './Dashboard';
import { AdminUsers } from './AdminUsers';
import { ReviewQueue } from './ReviewQueue';
import { AuditLog } from './AuditLog';

/**
 * Staff pages. The server decides who may read each (analytics and audit: admins; users and
 * reviews: staff); a refusal shows as the page's error, whatever the navigation offered.
 */
export function AdminHome() {
  return (
    <section>
      <h1>Administration</h1>
      <nav aria-label="Administration" className="subnav">
        <NavLink to="/admin" end>
          Dashboard
        </NavLink>
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/review">Review queue</NavLink>
        <NavLink to="/admin/audit">Audit log</NavLink>
      </nav>
      <Routes>
        <Route index element={<Dashboard />} />
        <Route path="users" element={<AdminUsers />} />
        <Route path="review" element={<ReviewQueue />} />
        <Route path="audit" element={<AuditLog />} />
      </Routes>
    </section>
  );
}
