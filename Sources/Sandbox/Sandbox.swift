// Placeholder until the module lands; see the issue that builds it.
