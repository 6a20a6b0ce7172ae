// Steps that wait for the API. The mobile check (a one-time code by SMS before the booking) needs
// `/v1/otp`, which the API does not offer yet: until it does, the journey skips that page. Turn
// this on in the same change that brings the endpoint; the page is in pages/MobileCheck.jsx.
export const features = {
  mobileCheck: false,
};
