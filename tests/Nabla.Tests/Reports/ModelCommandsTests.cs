using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nabla.Cli.Reports;
using Nabla.Serving.Images;
using Nabla.Data;
using Nabla.Specs;
using Nabla.Tests.Support;
using NablaCli = Nabla.Cli.Program;

namespace Nabla.Tests.Reports;

/// <summary>One tiny MNIST model and one iris model trained through <c>nabla train</c> (their run folders shared by the tests).</summary>
public sealed class TrainedRun : IDisposable
{
    public TrainedRun()
    {
        Folder = Directory.CreateTempSubdirectory("nabla-cli-run").FullName;
        var spec = Path.Combine(Folder, "tiny.json");
        File.WriteAllText(spec, JsonSerializer.Serialize(new
        {
            name = "tiny-mlp",
            seed = 3,
            data = new { format = "mnist", path = Repo.Path("data", "mnist"), limit = 3000 },
            model = new object[]
            {
                new { type = "Flatten" }, new { type = "Linear", inFeatures = 784, outFeatures = 64 }, new { type = "Relu" },
                new { type = "Linear", inFeatures = 64, outFeatures = 10 },
            },
            loss = "cross_entropy",
            optimizer = new { type = "adam", lr = 0.003 },
            training = new { epochs = 2, batchSize = 64 },
        }));
        Run = Path.Combine(Folder, "run");
        (ExitCode, Output, _) = ModelCommandsTests.Nabla("train", spec, "--out", Run);
        Summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(Run, "summary.json"))).RootElement.Clone();

        IrisSpec = Path.Combine(Folder, "iris.json");
        File.WriteAllText(IrisSpec, $$"""
            { "name": "iris", "data": { "format": "csv", "path": {{JsonSerializer.Serialize(Repo.Path("data", "iris", "iris.csv"))}}, "target": "species" },
              "model": [ { "type": "Linear", "inFeatures": 4, "outFeatures": 3 } ], "loss": "cross_entropy",
              "optimizer": { "type": "adam", "lr": 0.05 }, "training": { "epochs": 40, "batchSize": 16 } }
            """);
        Iris = Path.Combine(Folder, "iris-run");
        var (irisExit, irisOutput, _) = ModelCommandsTests.Nabla("train", IrisSpec, "--out", Iris);
        if (irisExit != 0) throw new InvalidOperationException(irisOutput);
    }

    public string Folder { get; }
    public string Run { get; }
    public int ExitCode { get; }
    public string Output { get; }
    public JsonElement Summary { get; }
    public string IrisSpec { get; }
    public string Iris { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class ModelCommandsTests(TrainedRun trained) : IClassFixture<TrainedRun>
{
    internal static (int ExitCode, string Output, string Error) Nabla(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = NablaCli.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static double Figure(string output, string name) =>
        double.Parse(Regex.Match(output, $@"\b{name} (?<v>[\d.]+)").Groups["v"].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Train_writes_the_report_next_to_the_model()
    {
        Assert.Equal(0, trained.ExitCode);
        var path = Path.Combine(trained.Run, "report.html");
        Assert.Contains($"Report: {path}", trained.Output);
        var html = File.ReadAllText(path);
        foreach (var id in new[] { "summary", "curves", "learning-rate", "confusion-matrix", "per-class", "misclassified" }) Assert.Contains($"id=\"{id}\"", html);
        var svgs = RunReportTests.Svgs(html);
        Assert.Equal(5, svgs.Count);
        Assert.Equal(36, svgs[^1].Descendants("{http://www.w3.org/2000/svg}image").Count()); // a 2-epoch model misses more than 36 of 2,000
    }

    [Fact]
    public void Evaluate_reproduces_the_test_figures_of_training()
    {
        foreach (var args in new[] { new[] { "evaluate", trained.Run }, ["evaluate", Path.Combine(trained.Run, "model"), "--data", Repo.Path("data", "mnist")] })
        {
            var (exitCode, output, error) = Nabla(args);
            Assert.True(exitCode == 0, error);
            Assert.Contains("2000 examples", output);
            Assert.Equal(trained.Summary.GetProperty("test_accuracy").GetDouble(), Figure(output, "accuracy"), 4);
            Assert.Equal(trained.Summary.GetProperty("test_loss").GetDouble(), Figure(output, "loss"), 4);

            // The confusion matrix: ten rows of ten counts summing to 2,000, its diagonal share the accuracy.
            var rows = output.Split('\n').SkipWhile(l => !l.StartsWith("actual", StringComparison.Ordinal)).Skip(1)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray()).Where(r => r.Length > 0).ToArray();
            Assert.Equal(10, rows.Length);
            Assert.All(rows, r => Assert.Equal(10, r.Length));
            Assert.Equal(2000, rows.Sum(r => r.Sum()));
            Assert.Equal(Figure(output, "accuracy"), rows.Select((r, i) => r[i]).Sum() / 2000.0, 4);
        }
    }

    [Fact]
    public void Predict_on_an_idx_file_prints_the_model_classes()
    {
        var (exitCode, output, error) = Nabla("predict", trained.Run, Repo.Path("data", "mnist", "t10k-images-idx3-ubyte.gz"), "--count", "4");
        Assert.True(exitCode == 0, error);
        Assert.Contains("2000 examples, the first 4 shown", output);
        var model = SavedModel.Load(trained.Run);
        var expected = model.Predict(Mnist.Load(Repo.Path("data", "mnist"), train: false).Inputs.Narrow(0, 0, 4)).ArgMax(1).ToArray();
        var printed = Regex.Matches(output, @"(?m)^\s+\d+\s+(\d)\s+\(p = ").Select(m => float.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(expected, printed);
    }

    [Fact]
    public void Predict_on_a_png_of_a_test_digit_returns_its_class()
    {
        var model = SavedModel.Load(trained.Run);
        var test = Mnist.Load(Repo.Path("data", "mnist"), train: false);
        // A digit the model gets right with confidence, drawn the way people draw: dark on white, three times larger, RGB.
        var probabilities = global::Nabla.NN.Functional.Softmax(model.Predict(test.Inputs.Narrow(0, 0, 50)), 1);
        var index = Enumerable.Range(0, 50).First(i => probabilities.Select(0, i).Max().Item() > 0.95f
            && probabilities.Select(0, i).ArgMax().Item() == test.Targets.Select(0, i).Item());
        var label = (int)test.Targets.Select(0, index).Item();
        var pixels = test.Inputs.Select(0, index).ToArray();
        var rgba = new byte[4 * 84 * 84];
        for (var y = 0; y < 84; y++)
        for (var x = 0; x < 84; x++)
        {
            var v = (byte)Math.Round(255 * (1 - pixels[y / 3 * 28 + x / 3]));
            (rgba[4 * (y * 84 + x)], rgba[4 * (y * 84 + x) + 1], rgba[4 * (y * 84 + x) + 2], rgba[4 * (y * 84 + x) + 3]) = (v, v, v, 255);
        }
        var png = Path.Combine(trained.Folder, $"digit-{index}.png");
        File.WriteAllBytes(png, Png.Encode(new PngImage(84, 84, rgba), PngColorType.Rgb));

        var (exitCode, output, error) = Nabla("predict", trained.Run, png);
        Assert.True(exitCode == 0, error);
        Assert.Contains("84x84 image, resized to 28x28", output);
        Assert.Matches($@"(?m)^predicted {label} \(p = ", output);
        Assert.Equal(11, Regex.Matches(output, @"(?m)^\S+\s+0\.\d{4}$").Count + 1); // header + ten classes

        // At the model's own size the picture comes back exactly: inverted to white on black, values to 1/255.
        var same = new byte[28 * 28];
        for (var i = 0; i < same.Length; i++) same[i] = (byte)Math.Round(255 * (1 - pixels[i]));
        var prepared = DigitImage.Prepare(PngImage.FromGrey(same, 28, 28), 28, 28);
        var (low, high) = (pixels.Min(), pixels.Max());
        Assert.All(Enumerable.Range(0, 784), i => Assert.Equal((pixels[i] - low) / (high - low), prepared[i], 0.005));
    }

    [Fact]
    public void Csv_models_evaluate_and_predict_with_class_names_matched()
    {
        var iris = Repo.Path("data", "iris", "iris.csv");
        var (exitCode, output, error) = Nabla("evaluate", trained.Iris, "--data", iris);
        Assert.True(exitCode == 0, error);
        Assert.Contains("150 examples", output);
        // The model was trained on standardised features; its folder records the statistics, so raw CSV rows score well.
        var accuracy = double.Parse(Regex.Match(output, @"accuracy (\d\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.9, output);
        // iris has 50 flowers of each species: every row of the confusion matrix sums to 50.
        var rows = output.Split('\n').SkipWhile(l => !l.StartsWith("actual", StringComparison.Ordinal)).Skip(1).Where(l => l.Trim().Length > 0).ToList();
        Assert.Equal(["setosa", "versicolor", "virginica"], rows.Select(r => r.Split(' ')[0]));
        Assert.All(rows, r => Assert.Equal(50, r.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Sum(int.Parse)));

        (exitCode, output, error) = Nabla("predict", trained.Iris, iris, "--count", "2");
        Assert.True(exitCode == 0, error);
        Assert.Contains("150 examples, the first 2 shown", output);
        Assert.Equal(2, Regex.Matches(output, @"(?m)^\s+\d\s+(setosa|versicolor|virginica)\s+\(p = 0\.\d{4}\)").Count);
    }

    [Fact]
    public void Summary_prints_the_layer_table_without_loading_data()
    {
        var (exitCode, output, error) = Nabla("summary", Repo.Path("examples", "mnist-mlp.json"));
        Assert.True(exitCode == 0, error);
        Assert.Contains("mnist-mlp: inputs [1, 28, 28]", output);
        // 784*128 + 128 + 128*64 + 64 + 64*10 + 10 = 100,480 + 8,256 + 650.
        Assert.Contains("Total params: 109,386", output);

        (exitCode, output, error) = Nabla("summary", trained.IrisSpec);
        Assert.True(exitCode == 0, error);
        Assert.Contains("iris: inputs [4]", output); // five columns but the target
        Assert.Contains("Total params: 15", output);
    }

    public static TheoryData<string[], string> Failures() => new()
    {
        { ["evaluate", "/no/such/run"], "No such folder" },
        { ["evaluate", Path.GetTempPath()], "model.json is missing" },
        { ["evaluate", "IRIS"], "--data is required" },
        { ["evaluate", "IRIS", "--data", "/no/such.csv"], "no such file or folder" },
        { ["predict", "RUN", "/no/such.png"], "Input file not found" },
        { ["predict", "RUN", "BADCRC"], "bad CRC in chunk 'IDAT'" },
        { ["predict", "RUN", "NOTPNG"], "not a PNG file" },
        { ["predict", "IRIS", "GOODPNG"], "a PNG input needs a model of grey images" },
        { ["predict", "RUN", "SMALLIDX"], "do not fit the model tiny-mlp, which expects inputs [1, 28, 28]" },
        { ["predict", "RUN", "GOODPNG", "--count", "0"], "--count must be positive" },
        { ["summary", "/no/such/spec.json"], "Spec file not found" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Errors_are_one_line_and_exit_non_zero(string[] args, string expected)
    {
        var good = Png.EncodeGrey(new byte[16], 4, 4);
        var badCrc = (byte[])good.Clone();
        badCrc[^20] ^= 1; // inside the IDAT data
        var files = new Dictionary<string, string>
        {
            ["RUN"] = trained.Run,
            ["IRIS"] = trained.Iris,
            ["GOODPNG"] = Write("good.png", good),
            ["BADCRC"] = Write("bad-crc.png", badCrc),
            ["NOTPNG"] = Write("fake.png", "this is text"u8.ToArray()),
            ["SMALLIDX"] = Write("small-idx3-ubyte", Idx(2, 5, 5)),
        };
        var (exitCode, output, error) = Nabla([.. args.Select(a => files.GetValueOrDefault(a, a))]);
        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
    }

    [Theory]
    [InlineData("evaluate", "<run-or-model>")]
    [InlineData("predict", "<input>")]
    [InlineData("summary", "<spec>")]
    public void Commands_have_help(string command, string argument)
    {
        var (exitCode, output, _) = Nabla(command, "--help");
        Assert.Equal(0, exitCode);
        Assert.Contains(argument, output);
        Assert.Contains(command, Nabla("--help").Output);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(trained.Folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>An unsigned-byte IDX file of the given shape (zeros), gzip-free.</summary>
    private static byte[] Idx(params int[] shape)
    {
        var bytes = new byte[4 + 4 * shape.Length + shape.Aggregate(1, (a, b) => a * b)];
        (bytes[2], bytes[3]) = (8, (byte)shape.Length);
        for (var d = 0; d < shape.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), shape[d]);
        return bytes;
    }
}
