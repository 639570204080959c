namespace Nabla.Tests.Differentiation;

/// <summary>The loss worked example: heights in cm, computed with tensor ops.</summary>
public class WorkedExampleTests
{
    [Fact]
    public void Heights_give_MSE_13_4_and_RMSE_3_66()
    {
        var actual = Tensor.FromArray(170f, 165f, 160f, 155f, 150f);
        var predicted = Tensor.FromArray(165f, 170f, 162f, 157f, 153f);
        var errors = predicted - actual;
        var squared = errors * errors;
        Assert.Equal([25f, 25f, 4f, 4f, 9f], squared.ToArray());
        Assert.Equal(67f, squared.Sum().Item());
        var mse = squared.Mean();
        var rmse = mse.Sqrt();
        Assert.Equal(13.4f, mse.Item(), 4);
        Assert.Equal(3.66, rmse.Item(), 2);
        Assert.Equal(3.6606, rmse.Item(), 4);
    }

    [Fact]
    public void The_MSE_gradient_points_each_prediction_towards_its_target()
    {
        var actual = Tensor.FromArray(170f, 165f, 160f, 155f, 150f);
        var predicted = Tensor.FromArray(165f, 170f, 162f, 157f, 153f);
        predicted.RequiresGrad = true;
        ((predicted - actual).Pow(2f).Mean()).Backward();
        // d/dp mean((p - a)²) = 2 (p - a) / n
        Assert.Equal([-2f, 2f, 0.8f, 0.8f, 1.2f], predicted.Grad!.ToArray());
    }
}
