using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>Schedules created by name with text options, as a model spec gives them.</summary>
public class ScheduleRegistryTests
{
    private static Optimizer NewSgd() => new Sgd([Tensor.Ones(2).RequireGrad()], 0.1f, momentum: 0.9f);

    private static Dictionary<string, string> Options(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void Every_name_creates_its_schedule_with_the_given_options()
    {
        var created = new Dictionary<string, LearningRateSchedule>
        {
            ["step"] = Schedules.Create("step", NewSgd(), Options(("stepSize", "4"), ("gamma", "0.5"))),
            ["multistep"] = Schedules.Create("multistep", NewSgd(), Options(("milestones", "[2, 5]"))),
            ["exponential"] = Schedules.Create("exponential", NewSgd(), Options(("gamma", "0.9"))),
            ["cosine"] = Schedules.Create("cosine", NewSgd(), Options(("t_max", "10"), ("eta_min", "1e-3"))),
            ["cosinewarmrestarts"] = Schedules.Create("cosinewarmrestarts", NewSgd(), Options(("T_0", "3"), ("T_mult", "2"))),
            ["linearwarmup"] = Schedules.Create("linearwarmup", NewSgd(), Options(("warmupSteps", "3"), ("then", "cosine"), ("tMax", "10"))),
            ["onecycle"] = Schedules.Create("onecycle", NewSgd(), Options(("max_lr", "1"), ("totalSteps", "100"), ("anneal", "linear"), ("threePhase", "true"))),
            ["reduceonplateau"] = Schedules.Create("reduceonplateau", NewSgd(), Options(("mode", "max"), ("thresholdMode", "abs"), ("patience", "2"))),
        };
        Assert.Equal(Schedules.Names.Order(), created.Keys.Order());
        Assert.All(Schedules.Names, n => Assert.False(string.IsNullOrWhiteSpace(Schedules.Describe(n))));

        var step = Assert.IsType<StepLR>(created["step"]);
        Assert.True(step.StepSize == 4 && step.Gamma == 0.5f);
        Assert.Equal([2, 5], Assert.IsType<MultiStepLR>(created["multistep"]).Milestones);
        Assert.Equal(0.1f, Assert.IsType<MultiStepLR>(created["multistep"]).Gamma);
        Assert.Equal(0.9f, Assert.IsType<ExponentialLR>(created["exponential"]).Gamma);
        var cosine = Assert.IsType<CosineAnnealingLR>(created["cosine"]);
        Assert.True(cosine.TMax == 10 && cosine.EtaMin == 1e-3f);
        var restarts = Assert.IsType<CosineAnnealingWarmRestarts>(created["cosinewarmrestarts"]);
        Assert.True(restarts.T0 == 3 && restarts.TMult == 2);
        var warmup = Assert.IsType<LinearWarmup>(created["linearwarmup"]);
        Assert.Equal(10, Assert.IsType<CosineAnnealingLR>(warmup.Then).TMax);
        Assert.Equal(1f / 3f, warmup.StartFactor);
        var cycle = Assert.IsType<OneCycleLR>(created["onecycle"]);
        Assert.True(cycle.TotalSteps == 100 && cycle.AnnealStrategy == AnnealStrategy.Linear && cycle.MaxLearningRates[0] == 1f);
        var plateau = Assert.IsType<ReduceLROnPlateau>(created["reduceonplateau"]);
        Assert.True(plateau.Mode == PlateauMode.Max && plateau.ThresholdMode == ThresholdMode.Absolute && plateau.Patience == 2 && plateau.Factor == 0.1f);
    }

    [Fact]
    public void PyTorch_class_names_are_accepted()
    {
        Assert.IsType<StepLR>(Schedules.Create("StepLR", NewSgd(), Options(("step_size", "2"))));
        Assert.IsType<ReduceLROnPlateau>(Schedules.Create("ReduceLROnPlateau", NewSgd()));
        Assert.IsType<CosineAnnealingWarmRestarts>(Schedules.Create("CosineAnnealingWarmRestarts", NewSgd(), Options(("t0", "5"))));
    }

    [Fact]
    public void Unknown_missing_and_malformed_options_are_named()
    {
        Assert.Contains("known: step", Assert.Throws<ArgumentException>(() => Schedules.Create("poly", NewSgd())).Message, StringComparison.Ordinal);
        Assert.Contains("'stepSize' is required", Assert.Throws<ArgumentException>(() => Schedules.Create("step", NewSgd())).Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => Schedules.Create("step", NewSgd(), Options(("stepSize", "2"), ("gama", "0.5")))).Message;
        Assert.Contains("gama", unknown, StringComparison.Ordinal);
        Assert.Contains("gamma", unknown, StringComparison.Ordinal);
        Assert.Contains("whole number", Assert.Throws<ArgumentException>(() => Schedules.Create("step", NewSgd(), Options(("stepSize", "2.5")))).Message, StringComparison.Ordinal);
        Assert.Contains("min or max", Assert.Throws<ArgumentException>(() => Schedules.Create("plateau", NewSgd(), Options(("mode", "up")))).Message, StringComparison.Ordinal);
        Assert.Contains("tMax", Assert.Throws<ArgumentException>(() => Schedules.Create("warmup", NewSgd(), Options(("warmupSteps", "3"), ("then", "cosine")))).Message, StringComparison.Ordinal);
    }
}
