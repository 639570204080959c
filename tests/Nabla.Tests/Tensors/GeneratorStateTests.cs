namespace Nabla.Tests.Tensors;

public class GeneratorStateTests
{
    [Fact]
    public void A_saved_state_continues_the_sequence_exactly_including_a_pending_gaussian()
    {
        var g = new Generator(5);
        g.NextGaussian(); // leaves the second value of a Box-Muller pair pending
        var state = g.GetState();
        var expected = Enumerable.Range(0, 5).Select(_ => (double)g.NextGaussian()).Concat(Enumerable.Range(0, 5).Select(_ => g.NextDouble())).ToArray();
        var restored = new Generator(999);
        restored.SetState(state);
        var actual = Enumerable.Range(0, 5).Select(_ => (double)restored.NextGaussian()).Concat(Enumerable.Range(0, 5).Select(_ => restored.NextDouble())).ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1:2:3")]
    [InlineData("0:0:0:0:-")]
    [InlineData("XYZ:1:2:3:-")]
    public void Malformed_states_are_rejected(string state)
    {
        var error = Assert.Throws<ArgumentException>(() => new Generator(1).SetState(state));
        Assert.Contains("is not a generator state", error.Message);
    }
}
