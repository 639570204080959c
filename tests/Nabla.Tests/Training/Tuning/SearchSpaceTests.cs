using Nabla.NN;
using Nabla.Optim;
using Nabla.Training.Tuning;

namespace Nabla.Tests.Training.Tuning;

public class SearchSpaceTests
{
    private static SearchSpace Space() => new SearchSpace()
        .Choice("activation", "relu", "tanh")
        .LogUniform("lr", 1e-4, 1e-1)
        .Uniform("dropout", 0, 0.5)
        .IntRange("hidden", 16, 128, step: 16);

    [Fact]
    public void The_grid_is_exactly_the_cartesian_product_with_the_last_parameter_fastest()
    {
        var space = new SearchSpace()
            .Choice("activation", "relu", "tanh", "gelu")
            .IntRange("hidden", 16, 48, step: 16)
            .LogUniform("lr", 1e-4, 1e-1, grid: [1e-3, 1e-2]);
        var expected = new List<string>();
        foreach (var a in new[] { "relu", "tanh", "gelu" })
        foreach (var h in new[] { 16, 32, 48 })
        foreach (var lr in new[] { 1e-3, 1e-2 })
            expected.Add($"activation={a}, hidden={h}, lr={lr:R}");
        var grid = space.Grid().ToList();
        Assert.Equal(18, space.GridSize);
        Assert.Equal(expected, grid.Select(c => c.Key));
        Assert.Equal(18, grid.Distinct().Count());
        Assert.Equal(grid, new GridSearch(space).Candidates());
    }

    [Fact]
    public void Grid_search_needs_a_grid_for_continuous_ranges()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new GridSearch(Space()));
        Assert.Contains("'lr'", e.Message);
        Assert.Contains("grid", e.Message);
    }

    [Fact]
    public void Random_draws_stay_in_range_follow_their_distributions_and_repeat_by_seed()
    {
        var draws = new RandomSearch(Space(), trials: 600, seed: 9).Candidates();
        Assert.Equal(draws, new RandomSearch(Space(), trials: 600, seed: 9).Candidates());
        Assert.NotEqual(draws.Take(5), new RandomSearch(Space(), trials: 600, seed: 10).Candidates().Take(5));

        var lr = draws.Select(c => c.GetDouble("lr")).ToArray();
        var dropout = draws.Select(c => c.GetDouble("dropout")).ToArray();
        var hidden = draws.Select(c => c.GetInt("hidden")).ToArray();
        var activation = draws.Select(c => c.GetString("activation")).ToArray();
        Assert.All(lr, v => Assert.InRange(v, 1e-4, 1e-1));
        Assert.All(dropout, v => Assert.InRange(v, 0, 0.5));
        Assert.Equal([16, 32, 48, 64, 80, 96, 112, 128], hidden.Distinct().Order());
        Assert.Equal(["relu", "tanh"], activation.Distinct().Order());
        // Log-uniform: half the draws below the geometric mean √(1e-4 · 1e-1) ≈ 3.2e-3, a tenth below 10^-3.7;
        // binomial standard deviations for 600 draws are 0.020 and 0.012.
        Assert.InRange(lr.Count(v => v < Math.Sqrt(1e-5)) / 600.0, 0.42, 0.58);
        Assert.InRange(lr.Count(v => v < Math.Pow(10, -3.7)) / 600.0, 0.05, 0.15);
        // Uniform on [0, 0.5): mean 0.25, standard error 0.144/√600 ≈ 0.006.
        Assert.InRange(dropout.Average(), 0.23, 0.27);
        Assert.InRange(activation.Count(a => a == "relu") / 600.0, 0.42, 0.58);
        Assert.All(draws, c => Assert.All(Space().Parameters, p => Assert.True(p.Contains(c[p.Name]), $"{p.Name} = {c[p.Name]}")));
    }

    [Fact]
    public void Configuration_reads_typed_values()
    {
        var config = Configuration.Of(("lr", 0.01), ("hidden", 64), ("activation", "tanh"), ("nesterov", true), ("dropout", 0.5));
        Assert.Equal(0.01f, config.Get<float>("lr"));
        Assert.Equal(0.01f, config.GetFloat("lr"));
        Assert.Equal(64, config.GetInt("hidden"));
        Assert.Equal(64.0, config.GetDouble("hidden"));
        Assert.Equal("tanh", config.GetString("activation"));
        Assert.True(config.GetBool("nesterov"));
        Assert.Equal(32, config.GetOrDefault("batch_size", 32));
        Assert.Equal(64L, config.Get<long>("hidden"));
        Assert.Equal("activation=tanh, dropout=0.5, hidden=64, lr=0.01, nesterov=True",
            string.Join(", ", config.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal("lr=0.01, hidden=64, activation=tanh, nesterov=True, dropout=0.5", config.ToString());
        Assert.Contains("'dropout'", Assert.Throws<InvalidCastException>(() => config.GetInt("dropout")).Message);
        Assert.Contains("hidden", Assert.Throws<KeyNotFoundException>(() => config.GetFloat("momentum")).Message);
        Assert.Equal(config, Configuration.Of(("lr", 0.01), ("hidden", 64), ("activation", "tanh"), ("nesterov", true), ("dropout", 0.5)));
        Assert.NotEqual(config, config.With("lr", 0.02));
        Assert.Equal(0.02, config.With("lr", 0.02).GetDouble("lr"));
        Assert.Throws<ArgumentException>(() => Configuration.Of(("a", 1), ("a", 2)));
    }

    [Fact]
    public void Bad_spaces_fail_naming_the_parameter()
    {
        Assert.Contains("'lr'", Assert.Throws<ArgumentException>(() => new SearchSpace().LogUniform("lr", 0, 1)).Message);
        Assert.Contains("'a'", Assert.Throws<ArgumentException>(() => new SearchSpace().Choice("a")).Message);
        Assert.Contains("'d'", Assert.Throws<ArgumentException>(() => new SearchSpace().Uniform("d", 0, 0.5, grid: [0.7])).Message);
        Assert.Contains("'h'", Assert.Throws<ArgumentException>(() => new SearchSpace().IntRange("h", 5, 1)).Message);
        Assert.Contains("already", Assert.Throws<ArgumentException>(() => new SearchSpace().Choice("a", 1).Choice("a", 2)).Message);
    }

    [Fact]
    public void Builders_make_the_mlp_and_optimizer_a_configuration_describes()
    {
        var config = Configuration.Of(("hidden", 8), ("depth", 2), ("activation", "tanh"), ("dropout", 0.25));
        var mlp = config.CreateMlp(4, 3, new Generator(1));
        Assert.Equal(["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"], mlp.NamedModules().Where(m => m.Name.Length > 0).Select(m => m.Module.GetType().Name));
        Assert.Equal(4 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3, mlp.ParameterCount());

        var sized = Configuration.Of(("hidden", "16-8")).CreateMlp(4, 3);
        Assert.Equal(4 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3, sized.ParameterCount());
        Assert.Equal(4 * 3 + 3, Configuration.Of(("lr", 0.1)).CreateMlp(4, 3).ParameterCount());

        var optimizer = Configuration.Of(("optimizer", "sgd"), ("lr", 0.05), ("weight_decay", 1e-3), ("optimizer.momentum", 0.9)).CreateOptimizer(mlp.Parameters());
        Assert.IsType<Sgd>(optimizer);
        Assert.Equal(0.05f, optimizer.LearningRate);
        Assert.Equal(1e-3f, optimizer.ParamGroups[0].WeightDecay);
        Assert.Equal(0.9f, optimizer.ParamGroups[0]["momentum"]);
        Assert.IsType<Adam>(Configuration.Of(("hidden", 4)).CreateOptimizer(mlp.Parameters()));
        Assert.Throws<ArgumentException>(() => Configuration.Of(("optimizer", "adam"), ("optimizer.momentum", 0.9)).CreateOptimizer(mlp.Parameters()));
    }
}
