namespace Nabla.Distributed;

/// <summary>Distributed training could not start or continue: no MPI library, no MPI launcher, or an MPI call failed.</summary>
public sealed class DistributedException(string message) : Exception(message);
