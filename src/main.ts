import { Mynah } from './client';
import './ui/mynah-studio';

// Handy from the devtools console and for the end-to-end tests that drive the built app.
(globalThis as unknown as { Mynah: typeof Mynah }).Mynah = Mynah;
void import('./audio/index').then((audio) => ((globalThis as unknown as { MynahAudio: typeof audio }).MynahAudio = audio));
