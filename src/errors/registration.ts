import type { ErrorTable } from './catalogue';

/**
 * Error codes of registrations (src/registration): geored's own trunk registrations in each region, and the
 * PBX registering to geored. Codes start with REG_; document each in docs/errors.md.
 */
export const REGISTRATION_ERRORS = {
  REG_NO_CREDENTIALS: {
    message: 'region {region} has no registration credentials, so it cannot be registered',
    http: 400,
  },
  REG_DUPLICATE_REGION: { message: 'region {region} is already registered', http: 409 },
  REG_UNKNOWN_REGION: { message: 'no registration for region {region}', http: 404 },
  REG_BAD_TIMING: { message: 'registration timing {name} must be {expected}, not {value}', http: 400 },
  REG_NOT_REGISTER: { message: 'the registrar only handles REGISTER, not {method}', sip: 405 },
  REG_BAD_CONTACT: { message: 'the REGISTER has a Contact that cannot be used: {detail}', sip: 400 },
  REG_BAD_EXPIRES: {
    message: 'the REGISTER has an expiry that is not a number of seconds: {value}',
    sip: 400,
  },
  REG_INTERVAL_TOO_BRIEF: {
    message: 'a registration of {expires} s is shorter than the minimum of {min} s',
    sip: 423,
  },
  REG_OUT_OF_ORDER: {
    message: 'CSeq {cseq} is not above {last}, the last one seen for this Call-ID',
    sip: 500,
  },
  REG_SOURCE_NOT_ALLOWED: {
    message: 'no PBX credentials are configured and {source} is not an allowed PBX source',
    sip: 403,
  },
  REG_PBX_AUTH_FAILED: { message: 'the PBX registration failed authentication: {reason}', sip: 403 },
  REG_CONTACT_NOT_SOURCE: {
    message:
      'the Contact {contact} is not where the REGISTER came from ({source}), and contact_binding is refuse',
    sip: 403,
  },
  REG_BANNED: { message: 'refused without looking: {reason}', sip: 403 },
  REG_PBX_REQUEST_AUTH_FAILED: {
    message: 'a {method} from the PBX address failed authentication: {reason}',
    sip: 403,
  },
} as const satisfies ErrorTable;

export type RegistrationErrorCode = keyof typeof REGISTRATION_ERRORS;
