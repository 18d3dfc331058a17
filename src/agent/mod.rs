//! The agent: model providers, the tool loop, approvals, prompt building.
