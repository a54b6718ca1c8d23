using DiMml.Torch.Training;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

/// <summary>The SGD that owns its Scalars updates exactly as TorchSharp's own SGD (momentum, weight decay), step after step.</summary>
[TestClass]
public sealed class ScalarSafeSgdTests
{
    [TestMethod]
    public void StepsAsTorchSharpsSgdDoes()
    {
        using var ours = nn.Linear(6, 3);
        using var theirs = nn.Linear(6, 3);
        theirs.load_state_dict(ours.state_dict());
        using var safe = new ScalarSafeSgd(ours.parameters(), 0.1, 0.9, 1e-2);
        using var reference = optim.SGD(theirs.parameters(), 0.1, 0.9, 0.0, 1e-2);
        using var generator = new Generator(7);
        for (var step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            var input = randn([8, 6], generator: generator);
            foreach (var (module, optimizer) in new (nn.Module<Tensor, Tensor>, optim.Optimizer)[] { (ours, safe), (theirs, reference) })
            {
                optimizer.zero_grad();
                module.forward(input).square().sum().backward();
            }

            safe.step();
            reference.step();
        }

        foreach (var ((name, mine), (_, expected)) in ours.named_parameters().Zip(theirs.named_parameters()))
        {
            Assert.AreEqual(0f, (mine - expected).abs().max().item<float>(), name);
        }
    }
}
