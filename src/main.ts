import { Mynah } from './client';
import './ui/mynah-studio';
import { registerOffline } from './ui/offline';

// Handy from the devtools console and for the end-to-end tests that drive the built app.
(globalThis as unknown as { Mynah: typeof Mynah }).Mynah = Mynah;
void import('./audio/index').then((audio) => ((globalThis as unknown as { MynahAudio: typeof audio }).MynahAudio = audio));

// Offline after the first visit (public/sw.js); only in builds (no hot reload), where file names
// are final. (import.meta.env.PROD would miss builds made under a test runner, NODE_ENV=test.)
if (!import.meta.hot) void registerOffline();
