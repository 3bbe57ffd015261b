import { Mynah } from './client';
import './ui/mynah-studio';
import { registerOffline } from './ui/offline';

// Handy from the devtools console and for the end-to-end tests that drive the built app.
(globalThis as unknown as { Mynah: typeof Mynah }).Mynah = Mynah;
void import('./audio/index').then((audio) => ((globalThis as unknown as { MynahAudio: typeof audio }).MynahAudio = audio));

// Offline after the first visit (public/sw.js); only the built app, where file names are final.
if (import.meta.env.PROD) void registerOffline();
