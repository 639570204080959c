using Nabla.Cli.Reports;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>
/// Reinforcement learning by policy gradient (REINFORCE with a mean-return baseline) on cart-pole: a cart balancing a
/// pole, simulated with the classic equations of motion. The policy network sees the state and picks left or right;
/// episodes that balance longer make their actions more likely.
/// </summary>
internal sealed class ReinforcementLearningDemo : Demo
{
    public override string Name => "reinforcement-learning";
    public override string Description => "policy gradient (REINFORCE) learns to balance a pole on a cart; average return per episode rises";

    /// <summary>Cart-pole (Barto, Sutton and Anderson, 1983): state x, ẋ, θ, θ̇; force ±10 N; fails past 12° or 2.4 m.</summary>
    internal sealed class CartPole(Generator g)
    {
        private const double Gravity = 9.8, CartMass = 1.0, PoleMass = 0.1, HalfLength = 0.5, Force = 10.0, Tau = 0.02;
        public double[] State { get; private set; } = new double[4];

        public void Reset() => State = [.. Enumerable.Range(0, 4).Select(_ => (g.NextDouble() - 0.5) * 0.1)];

        /// <summary>Applies the action (0 left, 1 right); returns false when the pole has fallen or the cart left the track.</summary>
        public bool Step(int action)
        {
            var (x, v, theta, omega) = (State[0], State[1], State[2], State[3]);
            var force = action == 1 ? Force : -Force;
            var (sin, cos) = Math.SinCos(theta);
            var total = CartMass + PoleMass;
            var temp = (force + PoleMass * HalfLength * omega * omega * sin) / total;
            var alpha = (Gravity * sin - cos * temp) / (HalfLength * (4.0 / 3.0 - PoleMass * cos * cos / total));
            var accel = temp - PoleMass * HalfLength * alpha * cos / total;
            State = [x + Tau * v, v + Tau * accel, theta + Tau * omega, omega + Tau * alpha];
            return Math.Abs(State[0]) <= 2.4 && Math.Abs(State[2]) <= 12 * Math.PI / 180;
        }
    }

    public override DemoResult Run(DemoContext context)
    {
        var g = new Generator(context.Seed);
        var env = new CartPole(new Generator(context.Seed + 7));
        var policy = new Sequential(new Linear(4, 16, generator: g), new Tanh(), new Linear(16, 2, generator: g)); // state [1, 4] -> logits [1, 2]
        var optimizer = new Adam(policy.Parameters(), 1e-2f);
        var episodes = context.Quick ? 150 : 500;
        const int maxSteps = 200;
        const double discount = 0.99;
        var returns = new List<double>();
        for (var episode = 0; episode < episodes; episode++)
        {
            using var scope = TensorScope.Begin();
            env.Reset();
            var logProbs = new List<Tensor>();
            var alive = true;
            var steps = 0;
            while (alive && steps < maxSteps)
            {
                var state = Tensor.FromArray([.. env.State.Select(v => (float)v)], 1, 4);
                var logP = Functional.LogSoftmax(policy.Forward(state), 1);                     // [1, 2]
                var pRight = MathF.Exp(logP.Narrow(1, 1, 1).Detach().Item());
                var action = g.NextSingle() < pRight ? 1 : 0;
                logProbs.Add(logP.Narrow(1, action, 1).Reshape([]));
                alive = env.Step(action);
                steps++;
            }
            returns.Add(steps);
            // Reward 1 per step survived: discounted return-to-go, normalised (the baseline), weights each action's log-probability.
            var togo = new double[steps];
            double running = 0;
            for (var t = steps - 1; t >= 0; t--) togo[t] = running = 1 + discount * running;
            var mean = togo.Average();
            var std = Math.Sqrt(togo.Average(r => (r - mean) * (r - mean))) + 1e-6;
            var advantages = Tensor.FromArray([.. togo.Select(r => (float)((r - mean) / std))]);
            var loss = -(Tensor.Stack(logProbs) * advantages).Sum();
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
        var window = Math.Max(10, episodes / 10);
        var first = returns.Take(window).Average();
        var last = returns.Skip(returns.Count - window).Average();
        context.Say($"   average return (steps balanced, max {maxSteps}) over the first {window} episodes: {first:0.0}");
        context.Say($"   average return over the last {window} episodes: {last:0.0}");
        var smooth = returns.Select((_, i) => returns.Skip(Math.Max(0, i - 9)).Take(Math.Min(10, i + 1)).Average()).ToArray();
        context.SaveChart("returns.svg", SvgChart.Line("Return per episode (10-episode mean)", xLabel: "episode", yLabel: "steps balanced").Series("return", smooth));
        return new DemoResult { ["first_return"] = first, ["last_return"] = last, ["episodes"] = episodes };
    }
}
