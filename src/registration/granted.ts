/** How long a registrar granted our binding, read from its 2xx (RFC 3261 §10.2.4). */
import { deltaSeconds, readContacts, sameContact, type HeaderSource } from './contacts';

/**
 * The seconds granted to `ourContact`: its Contact's `expires` parameter, else the Expires header field;
 * null when the 2xx lists no Contact of ours (the registrar did not keep it). A 2xx with no Contact at all
 * is read as granting the Expires header, or what we asked for: some registrars leave the list out.
 */
export function grantedSeconds(res: HeaderSource, ourContact: string, requested: number): number | null {
  const read = readContacts(res);
  const header = deltaSeconds(res.headers.getAll('Expires')[0]);
  if (!read.ok) return null;
  if (read.contacts.length === 0) return header ?? requested;
  const ours = read.contacts.find((c) => sameContact(c.uri, ourContact));
  if (ours === undefined) return null;
  return deltaSeconds(ours.params['expires']) ?? header ?? requested;
}
