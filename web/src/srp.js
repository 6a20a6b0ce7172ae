// USER_SRP_AUTH (the AWS web client's only flow): loaded by staff.js only when the sign-in
// config names it. Not written yet: signing in to the AWS pool from the browser is refused plainly.
import { StaffSignInError } from './staff.js';

export async function srpSignIn() {
  throw new StaffSignInError('unsupported', 'USER_SRP_AUTH');
}
