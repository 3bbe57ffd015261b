// Turns getUserMedia's DOMExceptions into MynahErrors with instructions. Pure (names only).
import { MynahError } from '../errors';

export function micError(e: unknown): MynahError {
  if (e instanceof MynahError) return e;
  const name = (e as { name?: string })?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new MynahError(
        'MIC_DENIED',
        'Microphone access was blocked. Allow the microphone for this site (the icon in the address bar), then try again — or import an audio file instead.',
      );
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new MynahError('MIC_MISSING', 'No microphone was found. Connect one (or pick it in your system settings) and try again — or import an audio file instead.');
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new MynahError('MIC_BUSY', 'The microphone could not be started; another app may be using it. Close that app and try again.');
    default:
      return new MynahError('MIC_UNAVAILABLE', `The microphone could not be opened (${name || String(e)}). Try another browser, or import an audio file instead.`);
  }
}

export function noMediaDevices(): MynahError {
  return new MynahError(
    'MIC_UNAVAILABLE',
    'This page cannot use a microphone here (it needs https or localhost, and a browser with microphone support). Import an audio file instead.',
  );
}
