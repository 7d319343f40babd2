// End-to-end tests wait on real replication, alarms and runbooks: their own
// `eventually` deadlines say what is too slow, not jest's 5 s default.
jest.setTimeout(120_000);
