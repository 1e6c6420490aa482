import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { useSession } from './session';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';
import { OAuthComplete } from './pages/OAuthComplete';
import { Profile } from './pages/Profile';
import { Sessions } from './pages/Sessions';
import { Discover } from './pages/Discover';
import { Connections } from './pages/Connections';
import { Search } from './pages/Search';
import { PersonPage } from './pages/Person';
import { Chat } from './pages/Chat';
import { RandomMatch } from './pages/RandomMatch';
import { Feed } from './pages/Feed';
import { NewPost } from './pages/NewPost';
import { Notifications } from './pages/Notifications';
import { Plans } from './pages/Plans';
import { VerifyEmail } from './pages/VerifyEmail';
import { CallProvider } from './calls/CallProvider';

// The admin pages (and their charts) load only for those who open them.
const AdminHome = lazy(() => import('./pages/admin/AdminHome').then((m) => ({ default: m.AdminHome })));

export function App() {
  const { me } = useSession();
  if (me === undefined)
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  if (!me)
    return (
      <main id="main">
        <Routes>
          <Route path="/signup" element={<SignUp />} />
          <Route path="/oauth/complete" element={<OAuthComplete />} />
          <Route path="/verify-email" element={<VerifyEmail />} />
          <Route path="*" element={<SignIn />} />
        </Routes>
      </main>
    );
  return (
    <CallProvider>
      <Layout>
        <Routes>
          <Route path="/" element={<Navigate to="/discover" replace />} />
          <Route path="/discover" element={<Discover />} />
          <Route path="/search" element={<Search />} />
          <Route path="/people/:username" element={<PersonPage />} />
          <Route path="/requests" element={<Connections />} />
          <Route path="/chat" element={<Chat />} />
          <Route path="/chat/:conversationId" element={<Chat />} />
          <Route path="/match" element={<RandomMatch />} />
          <Route path="/feed" element={<Feed />} />
          <Route path="/feed/new" element={<NewPost />} />
          <Route path="/notifications" element={<Notifications />} />
          <Route path="/membership" element={<Plans />} />
          <Route path="/settings/profile" element={<Profile />} />
          <Route path="/settings/sessions" element={<Sessions />} />
          <Route path="/verify-email" element={<VerifyEmail />} />
          <Route
            path="/admin/*"
            element={
              <Suspense fallback={<p role="status">Loading…</p>}>
                <AdminHome />
              </Suspense>
            }
          />
          <Route path="/signin" element={<Navigate to="/discover" replace />} />
          <Route path="/signup" element={<Navigate to="/discover" replace />} />
          <Route path="*" element={<p>Nothing here.</p>} />
        </Routes>
      </Layout>
    </CallProvider>
  );
}
