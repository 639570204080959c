namespace Nabla.Tests.Backends;

/// <summary>Parallelism.Use sets the kernel thread count for a scope, clamps it, and restores the previous setting.</summary>
[Collection(nameof(GlobalEngineState))]
public class ParallelismTests
{
    [Fact]
    public void Use_sets_clamps_and_restores_the_thread_count()
    {
        var before = Parallelism.Threads;
        try
        {
            Parallelism.Threads = 1;
            using (Parallelism.Use(Parallelism.MaxThreads + 5)) Assert.Equal(Parallelism.MaxThreads, Parallelism.Threads);
            Assert.Equal(1, Parallelism.Threads);
            Parallelism.Threads = Parallelism.MaxThreads;
            using (Parallelism.Use(0)) Assert.Equal(1, Parallelism.Threads);
            using (Parallelism.Use(null)) Assert.Equal(Parallelism.MaxThreads, Parallelism.Threads);
            Assert.Equal(Parallelism.MaxThreads, Parallelism.Threads);
        }
        finally
        {
            Parallelism.Threads = before;
        }
    }
}
