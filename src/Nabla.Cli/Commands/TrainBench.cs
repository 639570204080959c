using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.Distributed;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla bench train --model mlp|cnn|lstm</c>: training throughput with exactly the set-ups of the PyTorch
/// reference scripts (../shared/bench/{mlp,cnn,lstm}_train.py), plus what the garbage collector costs.
/// </summary>
internal static class TrainBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "mlp (784-128-64-10), cnn (LeNet-5-like) or lstm (32->128, 50 steps).", DefaultValueFactory = _ => "mlp" };
        model.AcceptOnlyFromAmong("mlp", "cnn", "lstm");
        var threads = new Option<int?>("--threads") { Description = "Kernel threads (default: all cores)." };
        var data = new Option<string>("--data") { Description = "Directory of the MNIST files.", DefaultValueFactory = _ => "data/mnist" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var steps = new Option<int?>("--steps") { Description = "mlp/cnn: batches per epoch (default: all 125 of the 8,000 examples); for quick checks." };
        var distributed = new Option<bool>("--distributed")
        {
            Description = "mlp/cnn under mpirun -np N: the global batch of 64 split over the ranks, next to one process's figure measured first by rank 0.",
        };
        var command = new Command("train", "Training samples (or sequences) per second with the reference scripts' set-ups.") { model, threads, data, json, steps, distributed };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            using var threadSetting = Parallelism.Use(parse.GetValue(threads));
            try
            {
                var which = parse.GetValue(model)!;
                if (parse.GetValue(steps) is < 1) throw new ArgumentException($"--steps must be positive; got {parse.GetValue(steps)}.");
                if (parse.GetValue(distributed) && which == "lstm") throw new ArgumentException("--distributed measures the mlp and cnn set-ups, not lstm.");
                var result = parse.GetValue(distributed) ? DistributedImages(which, parse.GetValue(data)!, parse.GetValue(steps), parse.GetValue(threads))
                    : which == "lstm" ? Lstm() : Images(which, parse.GetValue(data)!, parse.GetValue(steps));
                if (result is null) return 0; // a rank other than 0
                result["threads"] = Parallelism.Threads;
                if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(result));
                else foreach (var (key, value) in result) output.WriteLine(string.Create(Inv, $"{key,-34} {value}"));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or DistributedException)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed record Cost(double Seconds, long Bytes, double PauseMs, int Steps);

    /// <summary>Times <paramref name="run"/> and what it allocated and paused.</summary>
    private static Cost Measure(Func<int> run)
    {
        var bytes = GC.GetTotalAllocatedBytes(precise: false);
        var pause = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        var steps = run();
        return new Cost(clock.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: false) - bytes, (GC.GetTotalPauseDuration() - pause).TotalMilliseconds, steps);
    }

    /// <summary>The reference scripts' models with weights seeded 0: the 784-128-64-10 ReLU MLP ("mlp") or the LeNet-5-like CNN ("cnn").</summary>
    internal static Module ReferenceModel(string which)
    {
        Generator.ManualSeed(0);
        return which == "mlp"
            ? new Sequential(new Flatten(), new Linear(784, 128), new Relu(), new Linear(128, 64), new Relu(), new Linear(64, 10))
            : new Sequential(new Conv2d(1, 6, 5, padding: 2), new Relu(), new MaxPool2d(2), new Conv2d(6, 16, 5), new Relu(), new MaxPool2d(2),
                new Flatten(), new Linear(400, 120), new Relu(), new Linear(120, 84), new Relu(), new Linear(84, 10));
    }

    /// <summary>
    /// Six epochs of the reference set-up (Adam 1e-3, batch 64, shuffled with seed 0); the median of the last five is
    /// reported. With <paramref name="collectives"/> each rank trains its slice of every global batch of 64 with averaged
    /// gradients, and every epoch ends at a barrier, so rank 0's clock covers all ranks.
    /// </summary>
    private static Dictionary<string, object> Images(string which, string dataDir, int? steps, ICollectives? collectives = null)
    {
        const int batch = 64;
        IDataset train = Mnist.Load(dataDir, train: true);
        if (steps is { } n) train = new Subset(train, [.. Enumerable.Range(0, Math.Min(n * batch, train.Count))]);
        var test = Mnist.Load(dataDir, train: false);
        var model = TrainBench.ReferenceModel(which);
        var trainer = new Trainer(model, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss());
        var loader = new DataLoader(train, batch, shuffle: true, seed: 0, prefetch: true);
        DistributedSampler? sampler = null;
        long averaging = 0; // Stopwatch ticks spent averaging gradients in the timed epochs
        var timing = false;
        if (collectives is not null)
        {
            DataParallel.BroadcastState(model, collectives);
            var averager = DataParallel.AverageGradients(trainer, collectives);
            trainer.AfterBackward = () =>
            {
                var start = Stopwatch.GetTimestamp();
                averager.Average();
                if (timing) averaging += Stopwatch.GetTimestamp() - start;
            };
            sampler = new DistributedSampler(train, batch, collectives.Rank, collectives.Size, shuffle: true, seed: 0);
            loader = new DataLoader(sampler, sampler.LocalBatchSize, shuffle: false, prefetch: true);
        }
        var epochs = new List<Cost>();
        for (var epoch = 0; epoch < 6; epoch++)
        {
            var e = epoch;
            collectives?.Barrier();
            sampler?.Epoch = e;
            timing = epoch > 0;
            var cost = Measure(() =>
            {
                trainer.Fit(loader, e + 1, initialEpoch: e);
                collectives?.Barrier();
                return loader.BatchCount;
            });
            if (epoch > 0) epochs.Add(cost); // the first epoch warms up
        }
        var median = epochs.OrderBy(c => c.Seconds).ElementAt(epochs.Count / 2);
        var accuracy = new Trainer(model, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), [new Accuracy()]).Evaluate(new DataLoader(test, 500))["accuracy"];
        var extra = new Dictionary<string, object>();
        if (collectives is not null)
        {
            // What overlapping the allreduce with backward could save at most: the time spent averaging (copies and
            // waiting for the slowest rank included), next to the allreduce of as many floats alone, ranks already in step.
            var averagingMs = Stopwatch.GetElapsedTime(0, averaging).TotalMilliseconds / epochs.Sum(c => c.Steps);
            extra["gradient_averaging_ms_per_step"] = Math.Round(averagingMs, 3);
            extra["allreduce_alone_ms"] = Math.Round(AllReduceAlone(collectives, model.TrainableParameters().Sum(p => p.Shape.Count)), 3);
        }
        return new Dictionary<string, object>(extra)
        {
            ["bench"] = which + "_train",
            ["samples_per_second"] = Math.Round(median.Steps * batch / median.Seconds, 1),
            ["epoch_seconds_median"] = Math.Round(median.Seconds, 4),
            ["ms_per_step"] = Math.Round(1000 * median.Seconds / median.Steps, 3),
            ["bytes_per_step"] = median.Bytes / median.Steps,
            ["gc_pause_share"] = Math.Round(epochs.Sum(c => c.PauseMs) / 1000 / epochs.Sum(c => c.Seconds), 5),
            ["test_accuracy_after_6_epochs"] = Math.Round(accuracy, 4),
        };
    }

    /// <summary>The median time of one allreduce of <paramref name="floats"/> floats, each after a barrier, over 30 tries.</summary>
    private static double AllReduceAlone(ICollectives collectives, int floats)
    {
        var buffer = new float[floats];
        var times = new List<double>();
        for (var i = 0; i < 35; i++)
        {
            collectives.Barrier();
            var start = Stopwatch.GetTimestamp();
            collectives.AllReduceSum(buffer);
            if (i >= 5) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    /// <summary>
    /// Under mpirun: rank 0 first measures one process alone (the other ranks sleep in a barrier, off the cores), then all
    /// ranks measure data-parallel training with <c>cores / ranks</c> kernel threads each (or <paramref name="threads"/>).
    /// Returns rank 0's figures (samples/s over all ranks, next to the single-process figure) and null on other ranks.
    /// </summary>
    private static Dictionary<string, object>? DistributedImages(string which, string dataDir, int? steps, int? threads)
    {
        using var collectives = MpiCollectives.Start();
        Dictionary<string, object>? single = null;
        if (collectives.Rank == 0) single = Images(which, dataDir, steps);
        var singleThreads = Parallelism.Threads;
        collectives.IdleBarrier(TimeSpan.FromMilliseconds(5));
        Parallelism.Threads = threads ?? Math.Max(1, Environment.ProcessorCount / collectives.Size);
        var result = Images(which, dataDir, steps, collectives);
        if (collectives.Rank != 0) return null;
        var alone = (double)single!["samples_per_second"];
        var together = (double)result["samples_per_second"];
        result["bench"] = which + "_train_distributed";
        result["ranks"] = collectives.Size;
        result["single_process_samples_per_second"] = alone;
        result["single_process_threads"] = singleThreads;
        result["speedup_over_single_process"] = Math.Round(together / alone, 3);
        return result;
    }

    private static Dictionary<string, object> Lstm()
    {
        const int batch = 32, steps = 50, input = 32, hidden = 128, timed = 200, warm = 10;
        var g = new Generator(0);
        var xs = Enumerable.Range(0, 10).Select(_ => Tensor.Randn([batch, steps, input], g)).ToArray();
        var ys = xs.Select(x => x.Select(2, 0).Mean(1, keepDims: true)).ToArray(); // mean of feature 0 over time: [B, 1]
        Generator.ManualSeed(0);
        var model = new Sequential(new Lstm(input, hidden, batchFirst: true), new LastTimeStep(batchFirst: true), new Linear(hidden, 1));
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new MseLoss();
        float last = 0;
        void Step(int i)
        {
            using var scope = TensorScope.Begin();
            var l = loss.Compute(model.Forward(xs[i % 10]), ys[i % 10]);
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
            last = l.Item();
        }
        for (var i = 0; i < warm; i++) Step(i);
        var cost = Measure(() =>
        {
            for (var i = 0; i < timed; i++) Step(i);
            return timed;
        });
        return new Dictionary<string, object>
        {
            ["bench"] = "lstm_train",
            ["sequences_per_second"] = Math.Round(timed * batch / cost.Seconds, 1),
            ["ms_per_step"] = Math.Round(1000 * cost.Seconds / timed, 3),
            ["bytes_per_step"] = cost.Bytes / timed,
            ["gc_pause_share"] = Math.Round(cost.PauseMs / 1000 / cost.Seconds, 5),
            ["final_loss"] = Math.Round(last, 5),
        };
    }
}
