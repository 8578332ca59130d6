/**
 * The URLs and documents the TiQR app reads (tiqr.md §2–3). Pure functions: the app cannot be
 * changed, so every byte here is part of the contract and unit-tested.
 */

/** TiQR identity of a token owner: `<login>_<realm>` (the app echoes it as `userId`). */
export function tiqrIdentity(login: string, realm: string): string {
  return `${login}_${realm}`;
}

/**
 * Percent-encodes everything but RFC 3986 unreserved characters, upper-case hex, as Python's
 * quote(safe='') does, except that a space is `%20`: the app decodes URL user info, which leaves
 * a `+` as it is (tiqr.md §5.3), and `/` becomes `%2F` so a display name cannot add path
 * segments (§5.5).
 */
export function tiqrEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `tiqrenroll://<regServer>?action=metadata&session=…&serial=…`; the server URL verbatim. */
export function enrollmentUri(regServer: string, session: string, serial: string): string {
  return `tiqrenroll://${metadataUrl(regServer, session, serial)}`;
}

export function metadataUrl(regServer: string, session: string, serial: string): string {
  return `${regServer}?action=metadata&session=${tiqrEncode(session)}&serial=${tiqrEncode(serial)}`;
}

export function enrollmentUrl(regServer: string, session: string, serial: string): string {
  return `${regServer}?action=enrollment&session=${tiqrEncode(session)}&serial=${tiqrEncode(serial)}`;
}

/**
 * `tiqrauth://<userId>@<serviceIdentifier>/<transaction id>/<question>/<display name>`, without a
 * protocol-version segment: a version would switch older apps to the hex question reading (§5.1).
 */
export function authenticationUri(a: {
  identity: string;
  serviceIdentifier: string;
  transactionId: string;
  question: string;
  displayName: string;
}): string {
  return (
    `tiqrauth://${tiqrEncode(a.identity)}@${a.serviceIdentifier}/` +
    `${tiqrEncode(a.transactionId)}/${tiqrEncode(a.question)}/${tiqrEncode(a.displayName)}`
  );
}

export interface TiqrService {
  displayName: string;
  identifier: string;
  logoUrl: string;
  infoUrl: string;
  authenticationUrl: string;
  ocraSuite: string;
  enrollmentUrl: string;
}

/** The metadata document; every field is a non-null string, as the current Android app requires. */
export function metadataDocument(service: TiqrService, identity: string, displayName: string) {
  return {
    service: {
      displayName: service.displayName,
      identifier: service.identifier,
      logoUrl: service.logoUrl,
      infoUrl: service.infoUrl,
      authenticationUrl: service.authenticationUrl,
      ocraSuite: service.ocraSuite,
      enrollmentUrl: service.enrollmentUrl,
    },
    identity: { identifier: identity, displayName: displayName || identity },
  };
}
