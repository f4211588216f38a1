import type { ApprovalKind } from './state.js';

/** What each kind of approval asks the approver to do, in the email and on the page. */
export const APPROVAL_ACTIONS: Record<ApprovalKind, string> = {
  agree: 'agree to the proposed terms',
  sign: 'sign the vetted contract',
  revise: 'approve a mid-year revision of targets',
  signoff: 'sign off the annual evaluation',
  terminate: 'confirm the termination of the contract',
  suspend: 'confirm the suspension of the contract',
  resume: 'confirm that the contract resumes',
};

/** The subject line's request, e.g. "please sign revision 2". */
export function approvalRequestPhrase(kind: ApprovalKind, revision: number, year: number): string {
  switch (kind) {
    case 'agree':
      return `please agree to revision ${revision}`;
    case 'sign':
      return `please sign revision ${revision}`;
    case 'revise':
      return `please approve mid-year revision ${revision}`;
    case 'signoff':
      return `please sign off the evaluation of year ${year}`;
    case 'terminate':
      return 'please confirm the termination';
    case 'suspend':
      return 'please confirm the suspension';
    case 'resume':
      return 'please confirm that the contract resumes';
  }
}
