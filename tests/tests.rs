//! End-to-end tests of the gridrisk command line.
