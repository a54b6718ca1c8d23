using DiMml.TestSupport;
using DiMml.Torch.Training;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class NonFiniteTrainingTests
{
    // sqrt(|w|) at w = 0 has a finite value and a NaN gradient: the loss stays finite while one parameter's gradient does not.
    [TestMethod]
    public void NonFiniteGradientNamesTheParameterAndStepAndLeavesTheWeights()
    {
        using var data = Synthetic.Clusters(64, 1, 4, 2, separation: 3, seed: 1);
        using var module = nn.Sequential(("first", nn.Linear(4, 3)), ("second", nn.Linear(3, 2)));
        using (no_grad())
        {
            module.named_parameters().First(p => p.name == "second.weight").parameter.zero_();
        }

        var before = module.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        var second = module.named_parameters().First(p => p.name == "second.weight").parameter;
        var run = new SgdRun(Small.Baseline(1), CPU, new TrainingHistory());
        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            run.Run(new StagePlan(TrainingStage.Unimodal, 2, data, module.parameters(), module,
            (batch, _) =>
            {
                var logits = module.forward(batch.Inputs[0]);
                var loss = nn.functional.cross_entropy(logits, batch.Labels) + second.abs().sqrt().sum();
                return new StepResult(loss, [("ce", loss)], [("m", logits)]);
            })));

        StringAssert.Contains(error.Message, "'second.weight'");
        StringAssert.Contains(error.Message, "stage Unimodal, epoch 0, step 0");
        StringAssert.Contains(error.Message, "LearningRate");
        foreach (var (name, value) in module.state_dict())
        {
            Assert.IsTrue(value.equal(before[name]).all().item<bool>(), $"{name} was updated from a non-finite gradient");
        }
    }
}
