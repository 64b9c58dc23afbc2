/**
 * Where the PBX's bindings live beyond one registrar: the store (so a restart keeps them) and live state
 * (so every instance sharing Redis sends calls from the regions to the PBX, whichever took its REGISTER).
 */
import type { Logger } from 'pino';
import type { LiveState } from '../live/types';
import { bindingFromRow, bindingToRow, rowsFromPayload } from '../registration/binding-rows';
import type { BindingPersistence, PbxRegistrar } from '../registration/registrar';
import type { Binding } from '../registration/bindings';
import type { Store } from '../store/types';

/** The live-state signal that carries the PBX's bindings from the instance that took its REGISTER. */
export const PBX_BINDINGS_SIGNAL = 'pbx_bindings';

export function storePersistence(
  store: Pick<Store, 'replacePbxBindings' | 'listPbxBindings'>,
): BindingPersistence {
  return {
    save: (bindings) => store.replacePbxBindings(bindings.map(bindingToRow)),
    load: async (now) => (await store.listPbxBindings(new Date(now))).map(bindingFromRow),
  };
}

export function publishBindings(
  live: Pick<LiveState, 'publishSignal'>,
): (bindings: readonly Binding[]) => void {
  return (bindings) => void live.publishSignal(PBX_BINDINGS_SIGNAL, bindings.map(bindingToRow));
}

/** Adopts the bindings other instances publish; returns the unsubscribe. */
export function followBindings(
  live: Pick<LiveState, 'onSignal'>,
  registrar: Pick<PbxRegistrar, 'adopt'>,
  log: Logger,
): () => void {
  return live.onSignal((sig) => {
    if (sig.kind !== PBX_BINDINGS_SIGNAL) return;
    const rows = rowsFromPayload(sig.payload);
    if (rows === null) {
      log.warn({ from: sig.from }, 'ignored a malformed PBX registration from another instance');
      return;
    }
    registrar.adopt(rows.map(bindingFromRow));
  });
}
