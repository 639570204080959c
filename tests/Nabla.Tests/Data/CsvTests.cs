using Nabla.Data;
using Nabla.Tests.Support;

namespace Nabla.Tests.Data;

public class CsvTests
{
    [Fact]
    public void Iris_loads_with_label_encoded_species()
    {
        var table = Csv.Load(Repo.Path("data", "iris", "iris.csv"), "species");
        Assert.Equal([150, 4], table.Features.Shape.ToArray());
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width"], table.FeatureNames);
        Assert.Equal(["setosa", "versicolor", "virginica"], table.Classes!);
        Assert.Equal([5.1f, 3.5f, 1.4f, 0.2f], table.Features.Select(0, 0).ToArray());
        Assert.Equal(0f, table.Targets.Select(0, 0).Item());
        Assert.Equal(2f, table.Targets.Select(0, 149).Item());
        Assert.Equal(50, table.Targets.ToArray().Count(v => v == 1f));
        var oneHot = Csv.Load(Repo.Path("data", "iris", "iris.csv"), "species", oneHot: true);
        Assert.Equal([150, 3], oneHot.Targets.Shape.ToArray());
        Assert.Equal([0f, 0f, 1f], oneHot.Targets.Select(0, 149).ToArray());
    }

    private static string Write(string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("nabla-csv").FullName, "t.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Numeric_targets_stay_values()
    {
        var table = Csv.Load(Write("age,height\n2,86.5\n10,138\n"), "height");
        Assert.Null(table.Classes);
        Assert.Equal([86.5f, 138f], table.Targets.ToArray());
        Assert.Equal([2f, 10f], table.Features.Reshape(-1).ToArray());
    }

    [Fact]
    public void Bad_files_name_the_line_and_column()
    {
        Assert.Contains("line 3, column 'a': 'x' is not a number", Assert.Throws<InvalidDataException>(() => Csv.Load(Write("a,b\n1,2\nx,3\n"), "b")).Message);
        Assert.Contains("line 2: 3 fields; the header has 2", Assert.Throws<InvalidDataException>(() => Csv.Load(Write("a,b\n1,2,3\n"), "b")).Message);
        Assert.Contains("no column named 'c'; the header has: a, b", Assert.Throws<ArgumentException>(() => Csv.Load(Write("a,b\n1,2\n"), "c")).Message);
    }

    [Fact]
    public void Standardisation_uses_training_statistics_only()
    {
        var train = Tensor.From(new float[,] { { 1, 10 }, { 3, 10 }, { 5, 10 } });
        var scaler = Standardizer.Fit(train);
        Assert.Equal([3f, 10f], scaler.Mean.ToArray());
        Assert.Equal(MathF.Sqrt(8f / 3f), scaler.Std.ToArray()[0], 5);
        Assert.Equal(1f, scaler.Std.ToArray()[1]); // constant feature: divided by 1, not 0
        var test = Tensor.From(new float[,] { { 7, 12 } });
        Assert.Equal([4f / MathF.Sqrt(8f / 3f), 2f], scaler.Transform(test).Reshape(-1).ToArray());
        Assert.Contains("fitted on 2 features", Assert.Throws<ArgumentException>(() => scaler.Transform(Tensor.Zeros(1, 3))).Message);
    }
}
