using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>
/// Every schedule's learning rates over 20 steps, for two groups with different base rates, against its
/// closed formula evaluated here; ReduceLROnPlateau against scripted metrics worked out by hand.
/// </summary>
public class ScheduleTests
{
    private static readonly float[] Bases = [0.1f, 0.03f];

    private static Optimizer TwoGroups(bool adam = false)
    {
        ParamGroup[] groups = [new([Tensor.Ones(2).RequireGrad()], learningRate: Bases[0]), new([Tensor.Ones(3).RequireGrad()], learningRate: Bases[1])];
        return adam ? new Adam(groups) : new Sgd(groups, momentum: 0.9f);
    }

    private sealed record Case(Func<Optimizer, LearningRateSchedule> Create, Func<int, double, double> Expected, bool Adam = false);

    private static double Cosine(double etaMin, double baseLr, double tCur, double tI) => etaMin + (baseLr - etaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2;

    /// <summary>SGDR's position from the epoch alone, by the logarithm (PyTorch's formula for an explicit epoch).</summary>
    private static double WarmRestarts(int epoch, int t0, int tMult, double etaMin, double baseLr)
    {
        if (epoch < t0) return Cosine(etaMin, baseLr, epoch, t0);
        if (tMult == 1) return Cosine(etaMin, baseLr, epoch % t0, t0);
        var n = Math.Floor(Math.Log((double)epoch / t0 * (tMult - 1) + 1) / Math.Log(tMult) + 1e-9);
        var tCur = epoch - t0 * (Math.Pow(tMult, n) - 1) / (tMult - 1);
        return Cosine(etaMin, baseLr, tCur, t0 * Math.Pow(tMult, n));
    }

    private static double Anneal(double start, double end, double pct, bool cos) =>
        cos ? end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1) : start + (end - start) * pct;

    /// <summary>One cycle through the points (step, value) given by the phase ends, annealed between them.</summary>
    private static double Piecewise(int epoch, (double Step, double Value)[] points, bool cos)
    {
        for (var i = 1; i < points.Length; i++)
        {
            if (epoch <= points[i].Step || i == points.Length - 1)
            {
                return Anneal(points[i - 1].Value, points[i].Value, (epoch - points[i - 1].Step) / (points[i].Step - points[i - 1].Step), cos);
            }
        }
        throw new InvalidOperationException();
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["step"] = new(o => new StepLR(o, stepSize: 3, gamma: 0.5f), (e, b) => b * Math.Pow(0.5, Math.Floor(e / 3.0))),
        ["multistep"] = new(o => new MultiStepLR(o, [11, 5, 2, 5], gamma: 0.5f), (e, b) => b * Math.Pow(0.5, (e >= 2 ? 1 : 0) + (e >= 5 ? 2 : 0) + (e >= 11 ? 1 : 0))),
        ["exponential"] = new(o => new ExponentialLR(o, gamma: 0.9f), (e, b) => b * Math.Pow(0.9f, e)),
        ["cosine"] = new(o => new CosineAnnealingLR(o, tMax: 7, etaMin: 0.001f), (e, b) => Cosine(0.001f, b, e, 7)),
        ["warm restarts"] = new(o => new CosineAnnealingWarmRestarts(o, t0: 3, etaMin: 0.001f), (e, b) => WarmRestarts(e, 3, 1, 0.001f, b)),
        ["warm restarts, doubling"] = new(o => new CosineAnnealingWarmRestarts(o, t0: 2, tMult: 2, etaMin: 0.001f), (e, b) => WarmRestarts(e, 2, 2, 0.001f, b)),
        ["warm restarts, tripling"] = new(o => new CosineAnnealingWarmRestarts(o, t0: 1, tMult: 3), (e, b) => WarmRestarts(e, 1, 3, 0, b)),
        ["warmup"] = new(o => new LinearWarmup(o, warmupSteps: 5, startFactor: 0.2f), (e, b) => b * (e < 5 ? 0.2f + (1 - 0.2f) * e / 5.0 : 1)),
        ["warmup then cosine"] = new(o => new LinearWarmup(o, 5, 0.2f, then: new CosineAnnealingLR(o, tMax: 10)),
            (e, b) => e < 5 ? b * (0.2f + (1 - 0.2f) * e / 5.0) : Cosine(0, b, e - 5, 10)),
        ["warmup then step"] = new(o => new LinearWarmup(o, 4, 0f, then: new StepLR(o, 2, 0.5f)), (e, b) => e < 4 ? b * e / 4.0 : b * Math.Pow(0.5, Math.Floor((e - 4) / 2.0))),
        // initial = max/10, min = initial/100; the rise ends at step 0.25·20 − 1 = 4, the fall at 19.
        ["one cycle"] = new(o => new OneCycleLR(o, [1f, 0.5f], totalSteps: 20, pctStart: 0.25f, divFactor: 10f, finalDivFactor: 100f),
            (e, b) => Piecewise(e, [(0, b), (4, b * 10), (19, b * 0.01)], cos: true)),
        ["one cycle, three linear phases"] = new(o => new OneCycleLR(o, [1f, 0.5f], totalSteps: 20, pctStart: 0.25f, annealStrategy: AnnealStrategy.Linear, divFactor: 10f, finalDivFactor: 100f, threePhase: true),
            (e, b) => Piecewise(e, [(0, b), (4, b * 10), (8, b), (19, b * 0.01)], cos: false)),
        ["one cycle on adam"] = new(o => new OneCycleLR(o, [1f, 0.5f], totalSteps: 20, pctStart: 0.25f, divFactor: 10f, finalDivFactor: 100f),
            (e, b) => Piecewise(e, [(0, b), (4, b * 10), (19, b * 0.01)], cos: true), Adam: true),
    };

    public static TheoryData<string> Names() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Learning_rates_follow_the_closed_form(string name)
    {
        var c = Cases[name];
        var optimizer = TwoGroups(c.Adam);
        // One-cycle's table rows take the group's initial rate max/10 as b: 0.1 and 0.05 for maxima 1 and 0.5.
        var bases = name.StartsWith("one cycle", StringComparison.Ordinal) ? new[] { 0.1, 0.05 } : Bases.Select(v => (double)v).ToArray();
        var schedule = c.Create(optimizer);
        for (var epoch = 0; epoch < 20; epoch++)
        {
            if (epoch > 0) schedule.Step();
            Assert.Equal(epoch, schedule.LastEpoch);
            for (var g = 0; g < 2; g++)
            {
                var expected = c.Expected(epoch, bases[g]);
                var actual = optimizer.ParamGroups[g].LearningRate;
                Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Abs(expected) + 1e-12, $"{name}: group {g} at epoch {epoch} has lr {actual}, expected {expected}");
            }
            Assert.Equal(optimizer.ParamGroups[0].LearningRate, schedule.CurrentLearningRate);
        }
    }

    [Fact]
    public void One_cycle_moves_momentum_against_the_rate()
    {
        foreach (var adam in new[] { false, true })
        {
            var optimizer = TwoGroups(adam);
            var option = adam ? "beta1" : "momentum";
            var schedule = new OneCycleLR(optimizer, 1f, totalSteps: 20, pctStart: 0.25f);
            for (var epoch = 0; epoch <= 20; epoch++)
            {
                if (epoch > 0) schedule.Step();
                var expected = epoch <= 4 ? Anneal(0.95f, 0.85f, epoch / 4.0, true) : Anneal(0.85f, 0.95f, (epoch - 4) / 15.0, true);
                Assert.All(optimizer.ParamGroups, g => Assert.Equal(expected, g[option], 6));
            }
            Assert.Contains("past totalSteps", Assert.Throws<InvalidOperationException>(schedule.Step).Message, StringComparison.Ordinal);
        }
        var adagrad = new Adagrad([Tensor.Ones(1).RequireGrad()]);
        Assert.Contains("cycleMomentum: false", Assert.Throws<ArgumentException>(() => new OneCycleLR(adagrad, 1f, 10)).Message, StringComparison.Ordinal);
        var plain = new OneCycleLR(adagrad, 1f, 10, cycleMomentum: false);
        Assert.Equal(1f / 25, plain.CurrentLearningRate, 7);
        Assert.Throws<ArgumentException>(() => new OneCycleLR(adagrad, 1f, 3, pctStart: 0.3f, cycleMomentum: false));
    }

    [Fact]
    public void Plateau_in_min_mode_with_relative_threshold_cooldown_and_floor()
    {
        var optimizer = new Sgd([Tensor.Ones(1).RequireGrad()], 0.1f);
        var schedule = new ReduceLROnPlateau(optimizer, factor: 0.5f, patience: 2, threshold: 0.1f, cooldown: 1, minLearningRate: 0.02f);
        // Improvement means below best·0.9. Bad epochs 1, 2, 3 > patience at 9.1: halve; 8.95 < 9 improves (and cooldown
        // swallows nothing bad); three flat epochs halve again; cooldown resets the count once; the floor 0.02 stops the last cut.
        float[] metrics = [10f, 9.5f, 9.2f, 9.1f, 8.95f, 9f, 9f, 9f, 9f, 9f, 9f, 9f, 9f, 9f, 9f, 9f];
        float[] expected = [0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.05f, 0.025f, 0.025f, 0.025f, 0.025f, 0.02f, 0.02f, 0.02f, 0.02f, 0.02f];
        for (var i = 0; i < metrics.Length; i++)
        {
            schedule.Step(metrics[i]);
            Assert.True(Math.Abs(expected[i] - schedule.CurrentLearningRate) <= 1e-7, $"after metric {i} ({metrics[i]}): lr {schedule.CurrentLearningRate}, expected {expected[i]}");
        }
        Assert.Equal(8.95f, schedule.Best);
        Assert.Equal(metrics.Length, schedule.LastEpoch);
        Assert.True(schedule.RequiresMetric);
        Assert.Contains("Step(metric)", Assert.Throws<InvalidOperationException>(schedule.Step).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plateau_in_max_mode_with_absolute_threshold_scales_every_group()
    {
        var optimizer = TwoGroups();
        var schedule = new ReduceLROnPlateau(optimizer, PlateauMode.Max, factor: 0.1f, patience: 1, threshold: 0.5f, thresholdMode: ThresholdMode.Absolute);
        // Improvement means above best + 0.5: 0.6 (first), 1.2 (> 1.1), 1.8 (> 1.7); two bad epochs in a row cut by 10.
        float[] metrics = [0.6f, 1.0f, 1.2f, 1.5f, 1.6f, 1.8f, 1.0f, 1.0f];
        double[] factors = [1, 1, 1, 1, 0.1, 0.1, 0.1, 0.01];
        for (var i = 0; i < metrics.Length; i++)
        {
            schedule.Step(metrics[i]);
            for (var g = 0; g < 2; g++)
            {
                Assert.Equal(Bases[g] * factors[i], optimizer.ParamGroups[g].LearningRate, 6);
            }
        }
    }

    [Fact]
    public void Setting_LastEpoch_jumps_exactly_where_stepping_arrives()
    {
        foreach (var (name, c) in Cases)
        {
            var stepped = c.Create(TwoGroups(c.Adam));
            for (var i = 0; i < 13; i++) stepped.Step();
            var jumped = c.Create(TwoGroups(c.Adam));
            jumped.LastEpoch = 13;
            Assert.True(stepped.CurrentLearningRates.SequenceEqual(jumped.CurrentLearningRates), name);
        }
    }

    [Fact]
    public void A_schedule_restored_from_its_state_continues_identically()
    {
        var schedules = Cases.Select(kv => (kv.Key, (Func<Optimizer, LearningRateSchedule>)kv.Value.Create, kv.Value.Adam)).Append(
            ("plateau", o => new ReduceLROnPlateau(o, factor: 0.5f, patience: 1, cooldown: 2), false));
        foreach (var (name, create, adam) in schedules)
        {
            var metrics = new[] { 3f, 2f, 2.5f, 2.5f, 2.5f, 1f, 2f, 2f, 2f, 2f };
            void Advance(LearningRateSchedule s, int from, int count)
            {
                for (var i = from; i < from + count; i++)
                {
                    if (s is ReduceLROnPlateau plateau) plateau.Step(metrics[i]);
                    else s.Step();
                }
            }
            var original = create(TwoGroups(adam));
            Advance(original, 0, 6);
            var state = original.StateDict();
            var restoredOptimizer = TwoGroups(adam);
            var restored = create(restoredOptimizer);
            restoredOptimizer.LoadStateDict(original.Optimizer.StateDict());
            restored.LoadStateDict(state);
            Assert.Equal(6, restored.LastEpoch);
            Advance(original, 6, 4);
            Advance(restored, 6, 4);
            Assert.True(original.CurrentLearningRates.SequenceEqual(restored.CurrentLearningRates), name);
        }
    }

    [Fact]
    public void Bad_settings_and_mismatched_state_are_reported()
    {
        var optimizer = TwoGroups();
        Assert.Contains("StepLR: stepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(optimizer, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("MultiStepLR: milestones", Assert.Throws<ArgumentException>(() => new MultiStepLR(optimizer, [])).Message, StringComparison.Ordinal);
        Assert.Contains("ExponentialLR: gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialLR(optimizer, -0.5f)).Message, StringComparison.Ordinal);
        Assert.Contains("tMult", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingWarmRestarts(optimizer, 3, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("2 parameter groups", Assert.Throws<ArgumentException>(() => new OneCycleLR(optimizer, [1f], 10)).Message, StringComparison.Ordinal);
        Assert.Contains("same optimizer", Assert.Throws<ArgumentException>(() => new LinearWarmup(optimizer, 3, then: new StepLR(TwoGroups(), 2))).Message, StringComparison.Ordinal);
        Assert.Contains("metric", Assert.Throws<ArgumentException>(() => new LinearWarmup(optimizer, 3, then: new ReduceLROnPlateau(optimizer))).Message, StringComparison.Ordinal);
        Assert.Contains("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(optimizer, factor: 1f)).Message, StringComparison.Ordinal);

        var state = new StepLR(optimizer, 2).StateDict();
        var single = new StepLR(new Sgd([Tensor.Ones(1).RequireGrad()], 0.1f), 2);
        var error = Assert.Throws<ArgumentException>(() => single.LoadStateDict(state)).Message;
        Assert.Contains("unexpected key 'base_lr.1'", error, StringComparison.Ordinal);
        var plateau = new ReduceLROnPlateau(TwoGroups());
        Assert.Contains("missing key 'best'", Assert.Throws<ArgumentException>(() => plateau.LoadStateDict(state)).Message, StringComparison.Ordinal);
    }
}
