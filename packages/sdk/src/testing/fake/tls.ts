/**
 * The fake's TLS identity: a self-signed certificate for 127.0.0.1 and localhost, valid until 2126,
 * and its key. Not a secret: like Go's httptest certificate, it only lets clients verify TLS to a
 * test server on loopback (the admin kubeconfig carries it as the CA).
 */
export const FAKE_KCP_CERT = `-----BEGIN CERTIFICATE-----
MIIBmDCCAT+gAwIBAgIUM6PVus9fdoHr7++8N1mG/GLoPV4wCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIZmFrZS1rY3AwIBcNMjYxMTMwMTcwNzAyWhgPMjEyNjExMDYx
NzA3MDJaMBMxETAPBgNVBAMMCGZha2Uta2NwMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEhB06QxYinzh4TWdqNWwgjtudicR/A5gujLNFFAsIxWz3t6HHdm+fc2LR
YkVgYqNGehlkg0c08CekdiNgY3FA/aNvMG0wHQYDVR0OBBYEFJKWS+8CxY4R5jnz
6CobZ/+/lxCTMB8GA1UdIwQYMBaAFJKWS+8CxY4R5jnz6CobZ/+/lxCTMBoGA1Ud
EQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49
BAMCA0cAMEQCIBYSqKhOJyPd5k1RWoe3caUHjJpvzFFGoQwlm3T9fAMLAiAISKNT
2n2LS1DAU/fL+tU4sNTg3TNkGwRKmNmjw3fnkg==
-----END CERTIFICATE-----
`;

export const FAKE_KCP_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgu3gO9kFzkvcXJXw8
Nm6KhaiSHGBNKEL5LW+/NcopSkmhRANCAASEHTpDFiKfOHhNZ2o1bCCO252JxH8D
mC6Ms0UUCwjFbPe3ocd2b59zYtFiRWBio0Z6GWSDRzTwJ6R2I2BjcUD9
-----END PRIVATE KEY-----
`;
