// URLs of the two AudioWorklet modules. `?worker&url` makes Vite bundle each worklet (with its
// imports) into one ES module file and hand back its URL, in dev and in `vite build` alike.
import playerUrl from './worklets/player.worklet.ts?worker&url';
import recorderUrl from './worklets/recorder.worklet.ts?worker&url';

export { playerUrl, recorderUrl };

const loaded = new WeakMap<BaseAudioContext, Map<string, Promise<void>>>();

/** Adds a worklet module to a context once. */
export function loadWorklet(ctx: BaseAudioContext, url: string): Promise<void> {
  let m = loaded.get(ctx);
  if (!m) loaded.set(ctx, (m = new Map()));
  let p = m.get(url);
  if (!p) {
    p = ctx.audioWorklet.addModule(url);
    m.set(url, p);
  }
  return p;
}
