namespace DiMml.Torch.Training;

/// <summary>Where a stage continues after a checkpoint written during it.</summary>
/// <param name="FirstEpoch">The first epoch still to run.</param>
/// <param name="OptimizerState">The optimiser state saved with the checkpoint.</param>
/// <param name="LoadBestWeights">Loads the stage's best-on-validation weights (<c>best-{stage}.bin</c>, written at the
/// given epoch) into the network; the run puts its own weights back afterwards.</param>
internal sealed record ResumePoint(int FirstEpoch, byte[] OptimizerState, Action<int> LoadBestWeights);
