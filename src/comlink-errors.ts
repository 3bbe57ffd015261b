// Comlink's default error serialisation keeps only message/name/stack; MynahError's `code` must
// survive the worker boundary so the UI can react to it. Installed on both sides.
import * as Comlink from 'comlink';
import { MynahError } from './errors';

type Wire = { isError: boolean; value: unknown };

export function installErrorTransfer(): void {
  const original = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<{ value: unknown }, Wire>;
  if ((original as { mynah?: boolean }).mynah) return;
  const handler: Comlink.TransferHandler<{ value: unknown }, Wire> & { mynah: true } = {
    mynah: true,
    canHandle: original.canHandle,
    serialize({ value }) {
      if (value instanceof Error) {
        const code = (value as { code?: unknown }).code;
        return [{ isError: true, value: { message: value.message, name: value.name, stack: value.stack, code } }, []];
      }
      return [{ isError: false, value }, []];
    },
    deserialize(wire) {
      if (!wire.isError) throw wire.value;
      const s = wire.value as { message: string; name: string; stack?: string; code?: unknown };
      const err = typeof s.code === 'string' ? new MynahError(s.code, s.message) : Object.assign(new Error(s.message), { name: s.name });
      if (s.stack) err.stack = s.stack;
      throw err;
    },
  };
  Comlink.transferHandlers.set('throw', handler as Comlink.TransferHandler<unknown, unknown>);
}
