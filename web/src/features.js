// Steps that can be switched off while the API lacks what they need. The mobile check (a one-time
// code by SMS before a hold or a remote request, and "my bookings" after one) uses `/v1/otp` and
// `/v1/me/*`; holds, bookings and remote requests need its session.
export const features = {
  mobileCheck: true,
};
