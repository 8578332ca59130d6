import { randomInt } from 'node:crypto';

/** Version strings RPs never parse but some monitoring greps for ("privacyIDEA x.y"). */
export interface VersionInfo {
  version: string;
  versionnumber: string;
}

export type Authentication = 'ACCEPT' | 'REJECT' | 'CHALLENGE' | 'DECLINED';

export type Detail = Record<string, unknown>;

// privacyIDEA reports its worker thread; clients only need a stable integer, and a random one
// does not reveal the process id to callers.
const THREAD_ID = randomInt(1, 2 ** 47);

export interface SuccessEnvelope {
  jsonrpc: '2.0';
  result: { status: true; value: unknown; authentication?: Authentication };
  version: string;
  versionnumber: string;
  id: number;
  time: number;
  detail?: Detail;
}

/** result.authentication as privacyIDEA computes it for id > 1 (README "Success envelope"). */
export function authenticationOf(value: unknown, detail: Detail | undefined): Authentication {
  const multi = detail?.multi_challenge;
  const hasChallenges = Array.isArray(multi) && multi.length > 0;
  if (value && value !== 'CHALLENGE' && !hasChallenges) return 'ACCEPT';
  if (value === 'CHALLENGE' || hasChallenges) return 'CHALLENGE';
  const status = detail?.challenge_status;
  if (!value && (status === 'declined' || status === 'cancelled')) return 'DECLINED';
  return 'REJECT';
}

export function successEnvelope(
  versions: VersionInfo,
  value: unknown,
  detail?: Detail,
  id = 1,
): SuccessEnvelope {
  const env: SuccessEnvelope = {
    jsonrpc: '2.0',
    result: { status: true, value },
    version: versions.version,
    versionnumber: versions.versionnumber,
    id,
    time: Date.now() / 1000,
  };
  if (id > 1) env.result.authentication = authenticationOf(value, detail);
  if (detail && Object.keys(detail).length > 0) env.detail = { ...detail, threadid: THREAD_ID };
  return env;
}

export function errorEnvelope(
  versions: VersionInfo,
  code: number,
  message: string,
  detail: Detail | null = null,
  id = 1,
) {
  return {
    jsonrpc: '2.0' as const,
    detail: detail ? { ...detail, threadid: THREAD_ID } : null,
    result: { status: false as const, error: { code, message } },
    version: versions.version,
    id,
    time: Date.now() / 1000,
  };
}
