using Nabla.Data;
using Nabla.NN;
using Nabla.Onnx;
using Nabla.Optim;
using Nabla.Tests.Support;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;

namespace Nabla.Tests.OnnxTests;

/// <summary>Imported graphs as trainable modules: parameter names, gradients through every operator, fine-tuning; and a trained CNN's round trip.</summary>
public class ImportTrainingTests
{
    private static OnnxModule Fixture(string name) => OnnxModel.Load(FixturePath(name, "model.onnx")).ToModule();

    private static Tensor FixtureInput(string name) => OnnxTensors.Read(FixturePath(name, "test_data_set_0", "input_0.pb"));

    [Fact]
    public void Initializers_become_parameters_with_sanitized_names()
    {
        var module = Fixture("mlp");
        var names = module.NamedParameters().Select(p => p.Name).ToList();
        Assert.Equal(["0_weight", "0_bias", "2_weight", "2_bias"], names);
        Assert.Equal("2.bias", module.InitializerName("2_bias"));
        Assert.Equal(4 * 8 + 8 + 8 * 3 + 3, module.ParameterCount());
        // The module computes what the model does.
        Close(OnnxTensors.Read(FixturePath("mlp", "test_data_set_0", "output_0.pb")), module.Forward(FixtureInput("mlp")), 2e-5f);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("norms")]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    [InlineData("decoder")]
    [InlineData("attention")]
    [InlineData("transformer_layer")]
    public void Input_gradients_match_finite_differences(string name)
    {
        var module = Fixture(name);
        Check.Gradients(xs => module.Forward(xs[0]), [FixtureInput(name)], name);
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("lstm")]
    [InlineData("embedding")]
    [InlineData("norms")]
    [InlineData("decoder")]
    [InlineData("pool1d")]
    [InlineData("transformer_encoder")]
    public void Every_parameter_receives_a_gradient(string name)
    {
        var module = Fixture(name);
        var outputs = module.Forward(new Dictionary<string, Tensor> { [module.Model.Inputs[0].Name] = FixtureInput(name) });
        outputs.Values.Select(o => o.Sum()).Aggregate((a, b) => a + b).Backward();
        Assert.NotEmpty(module.NamedParameters());
        foreach (var (parameter, value) in module.NamedParameters())
        {
            Assert.True(value.Grad is not null, $"{name}: {parameter} has no gradient");
            var grad = value.Grad!.ToArray();
            Assert.All(grad, g => Assert.True(float.IsFinite(g)));
            Assert.True(grad.Any(g => g != 0f), $"{name}: {parameter}'s gradient is all zero");
        }
    }

    [Fact]
    public void An_exported_transformer_imports_with_the_gradients_of_the_original()
    {
        var g = new Generator(9);
        var model = new TransformerEncoder(() => new TransformerEncoderLayer(8, 2, dimFeedforward: 12, dropout: 0f, activation: TransformerActivation.Gelu,
            batchFirst: true, normFirst: true, generator: g), 2, new LayerNorm(8));
        var x = Tensor.Randn([3, 4, 8], g);
        var weights = Tensor.Randn([3, 4, 8], g);
        var module = OnnxModel.Load(Nabla.Onnx.Onnx.ExportBytes(model, x)).ToModule();
        Assert.Equal(model.ParameterCount(), module.ParameterCount());

        (model.Forward(x) * weights).Sum().Backward();
        (module.Forward(x) * weights).Sum().Backward();
        var original = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, parameter) in module.NamedParameters())
        {
            var twin = original[module.InitializerName(name)];
            Close(twin.Grad!, parameter.Grad!, 1e-4f, $"gradient of {name}");
        }
    }

    [Fact]
    public void Fine_tuning_an_imported_CNN_lowers_the_loss()
    {
        var module = Fixture("cnn");
        var g = new Generator(3);
        var x = Tensor.Randn([16, 1, 9, 9], g);
        var target = Tensor.RandInt(0, 5, [16], g);
        var optimizer = new Adam(module.Parameters(), 0.01f);
        module.Train();
        float first = 0, last = 0;
        for (var step = 0; step < 30; step++)
        {
            optimizer.ZeroGrad();
            var loss = Losses.Nll(module.Forward(x), target); // the graph ends in LogSoftmax
            loss.Backward();
            optimizer.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first * 0.5f, $"loss {first} -> {last}");
    }

    [Fact]
    public void A_trained_MNIST_CNN_round_trips()
    {
        var g = new Generator(42);
        var model = new Sequential(
            new Conv2d(1, 8, 3, padding: 1, generator: g), new BatchNorm2d(8), new Relu(), new MaxPool2d(2),
            new Conv2d(8, 16, 3, padding: 1, generator: g), new Relu(), new MaxPool2d(2),
            new Flatten(), new Dropout(0.25f, g), new Linear(16 * 7 * 7, 10, generator: g));
        var train = Mnist.Load(Repo.Path("data", "mnist"), train: true);
        var loader = new DataLoader(train.Subset([.. Enumerable.Range(0, 2560)]), batchSize: 64, shuffle: true, seed: 1);
        var optimizer = new Adam(model.Parameters(), 2e-3f);
        foreach (var batch in loader.Epoch(0))
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            Losses.CrossEntropy(model.Forward(batch.Input), batch.Target).Backward();
            optimizer.Step();
        }
        model.Eval();
        var test = Mnist.Load(Repo.Path("data", "mnist"), train: false).Subset([.. Enumerable.Range(0, 200)]);
        var imported = RoundTrip(model, test.Inputs.Narrow(0, 0, 1), "mnist_cnn");
        Tensor expected;
        using (Autograd.NoGrad()) expected = model.Forward(test.Inputs);
        var actual = imported.Run(test.Inputs);
        Close(expected, actual, 1e-5f, "mnist cnn");
        var accuracy = actual.ArgMax(1).Eq(test.Targets).Mean().Item();
        Assert.True(accuracy > 0.7f, $"accuracy {accuracy}: the model should have learned something");
        Assert.Equal(expected.ArgMax(1).ToArray(), actual.ArgMax(1).ToArray());
    }
}
