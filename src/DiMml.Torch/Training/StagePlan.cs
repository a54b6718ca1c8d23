using DiMml.Torch.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>One training stage for <see cref="SgdRun"/>: what it trains, on which rows, with which loss, and the
/// optional hooks around its epochs.</summary>
/// <param name="Stage">Stage recorded in the history; also separates the batch-order streams of stages.</param>
/// <param name="Epochs">Number of epochs.</param>
/// <param name="Data">Training rows (CPU); batches are moved to the device.</param>
/// <param name="Parameters">What the optimiser updates.</param>
/// <param name="Module">Put in training mode at the start of each epoch; its weights are the best-epoch copy's.</param>
/// <param name="Step">Loss of one batch.</param>
internal sealed record StagePlan(
    TrainingStage Stage, int Epochs, IBatchSource Data, IEnumerable<Parameter> Parameters, nn.Module Module, TrainingStep Step)
{
    /// <summary>Optional work before an epoch (e.g. the effective-dimension pass); returns set sizes to record.</summary>
    public Func<int, IReadOnlyDictionary<string, int>?>? BeforeEpoch { get; init; }

    /// <summary>The data's modalities, whose augmentation is applied to each training batch; null for none.</summary>
    public IReadOnlyList<ModalityOptions>? Augmented { get; init; }

    /// <summary>Where to continue: the first epoch to run, the optimiser state to restore and the best validation
    /// epoch's weights (found from the restored history); null starts afresh.</summary>
    public ResumePoint? Resume { get; init; }

    /// <summary>Called after each epoch (before the progress callback) to write a checkpoint; its flag says whether the
    /// epoch is the best on validation so far.</summary>
    public Action<int, OptimizerHelper, bool>? Checkpoint { get; init; }

    /// <summary>Validation accuracy of <see cref="Module"/> in its current state; null for none. With it, the stage keeps
    /// the best epoch's weights (<see cref="TrainerOptions.SelectBestOnValidation"/>) and may stop early
    /// (<see cref="TrainerOptions.EarlyStoppingPatience"/>).</summary>
    public Func<double>? Validate { get; init; }
}
