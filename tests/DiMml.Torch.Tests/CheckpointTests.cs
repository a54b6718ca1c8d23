using DiMml.TestSupport;
using DiMml.Torch.Training;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class CheckpointTests
{
    private static DiMmlOptions Options(string directory, int epochs = 6, InferenceFusion inference = InferenceFusion.CertaintyWeighting)
    {
        var options = Small.DiMml(2, epochs: epochs, seed: 5);
        options.Inference = inference;
        options.DucStartEpoch = 2;
        options.LearningRateStepSize = 3;          // a learning-rate step inside the run: the schedule must resume too
        options.CheckpointDirectory = directory;
        options.CheckpointsToKeep = 2;
        return options;
    }

    private static void AssertSameWeights(Inference.MultimodalModel a, Inference.MultimodalModel b)
    {
        var left = a.Network.state_dict();
        var right = b.Network.state_dict();
        foreach (var (name, value) in left)
        {
            Assert.IsTrue(value.equal(right[name]).all().item<bool>(), $"{name} differs");
        }
    }

    [TestMethod]
    [DataRow(4, "during stage 1")]
    [DataRow(7, "during stage 2")]
    [DataRow(4, "during stage 1 of a selected-fusion run", InferenceFusion.Selected)]
    [DataRow(8, "during stage 2 of a selected-fusion run", InferenceFusion.Selected)]
    [DataRow(4, "cancelled during stage 1", InferenceFusion.CertaintyWeighting, true)]
    [DataRow(7, "cancelled during stage 2", InferenceFusion.CertaintyWeighting, true)]
    public void InterruptedRunResumesToTheSameWeights(int failAfterEpochs, string when,
        InferenceFusion inference = InferenceFusion.CertaintyWeighting, bool cancel = false)
    {
        var root = Directory.CreateTempSubdirectory("dimml-ckpt-").FullName;
        try
        {
            using var train = Synthetic.Clusters(160, 2, 8, 3, separation: 4, seed: 11);
            using var uninterrupted = new DiMmlLearner(Options(Path.Combine(root, "a"), inference: inference)).Fit(train);

            var crashing = Options(Path.Combine(root, "b"), inference: inference);
            var completed = 0;
            using var stop = new CancellationTokenSource();
            crashing.CancellationToken = stop.Token;
            crashing.EpochCompleted = _ =>
            {
                if (++completed == failAfterEpochs)
                {
                    if (!cancel)
                    {
                        throw new OperationCanceledException("simulated crash");
                    }

                    stop.Cancel();   // the run stops at the next training step, inside the next epoch
                }
            };
            Assert.Throws<OperationCanceledException>(() => new DiMmlLearner(crashing).Fit(train), when);
            Assert.HasCount(2, Directory.GetFiles(crashing.CheckpointDirectory!), "only the newest two checkpoints are kept");

            var resumed = Options(Path.Combine(root, "b"), inference: inference);
            resumed.ResumeFrom = resumed.CheckpointDirectory;
            using var model = new DiMmlLearner(resumed).Fit(train);
            AssertSameWeights(uninterrupted, model);
            Assert.AreEqual(uninterrupted.History.Count, model.History.Count);
            Assert.IsNotNull(model.Dimensions);
            Assert.AreEqual(uninterrupted.Selection?.Chosen.Name, model.Selection?.Chosen.Name);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void AlteredCheckpointIsRejectedClearly()
    {
        var root = Directory.CreateTempSubdirectory("dimml-ckpt-").FullName;
        try
        {
            using var train = Synthetic.Clusters(60, 2, 8, 3, separation: 4, seed: 12);
            using (new DiMmlLearner(Options(root, epochs: 3)).Fit(train))
            {
            }

            var newest = Directory.GetFiles(root).Order().Last();
            File.WriteAllBytes(newest, File.ReadAllBytes(newest)[..40]);
            var options = Options(root, epochs: 3);
            options.ResumeFrom = newest;
            var error = Assert.ThrowsExactly<InvalidDataException>(() => new DiMmlLearner(options).Fit(train));
            StringAssert.Contains(error.Message, Path.GetFileName(newest));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void DivergingLossStopsWithItsPlaceAndLeavesTheLastGoodCheckpoint()
    {
        var root = Directory.CreateTempSubdirectory("dimml-ckpt-").FullName;
        try
        {
            using var train = Synthetic.Clusters(120, 2, 8, 3, separation: 4, seed: 13);
            var options = Options(root, epochs: 6);
            var epochs = 0;
            options.EpochCompleted = _ =>
            {
                // Stage 1's optimiser already exists; stage 2's picks up an absurd learning rate and diverges.
                if (++epochs == 2)
                {
                    options.LearningRate = 1e12;
                }
            };
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => new DiMmlLearner(options).Fit(train));
            StringAssert.Contains(error.Message, "non-finite in stage Fusion, epoch 1, step 0");
            StringAssert.Contains(error.Message, "fusion=");

            var newest = Directory.GetFiles(root).Order().Last();
            Assert.EndsWith("checkpoint-1-00000.bin", newest, "the checkpoint of the last good epoch is the newest");
            // Stage 2's first epoch already ran with the absurd rate; start it again from the end of stage 1.
            var resume = Options(root, epochs: 6);
            resume.ResumeFrom = Directory.GetFiles(root).Order().First();
            StringAssert.EndsWith(resume.ResumeFrom, "checkpoint-0-00005.bin");
            using var model = new DiMmlLearner(resume).Fit(train);
            Assert.AreEqual(6 + resume.FusionEpochs, model.History.Count);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
