//! Access control: allowlists, DM/group policies, pairing codes.
