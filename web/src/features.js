// Steps that wait for the API. The mobile check (a one-time code by SMS before a hold or a remote
// request, and "my bookings" after one) needs `/v1/otp` and `/v1/me/*`: until the API offers them,
// the journey goes without (no hold needs a session yet) and "my bookings" is not offered.
export const features = {
  mobileCheck: false,
};
