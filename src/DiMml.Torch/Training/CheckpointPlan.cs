using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using TorchSharp.Modules;

namespace DiMml.Torch.Training;

/// <summary>
/// How one training run checkpoints and resumes: restores the network, history and effective-dimension sets from
/// <see cref="TrainerOptions.ResumeFrom"/>, tells each stage where to continue (or that it is already done), and
/// writes a checkpoint after every epoch when <see cref="TrainerOptions.CheckpointDirectory"/> is set.
/// </summary>
internal sealed class CheckpointPlan
{
    private readonly TrainerOptions options;
    private readonly MultimodalNetwork network;
    private readonly TrainingHistory history;
    private readonly byte[]? optimizerState;

    public CheckpointPlan(TrainerOptions options, MultimodalNetwork network, TrainingHistory history)
    {
        this.options = options;
        this.network = network;
        this.history = history;
        if (options.ResumeFrom is { } path)
        {
            (Resumed, optimizerState) = Checkpoints.Load(path, network);
            history.AddRange(Resumed.History);
        }
    }

    /// <summary>The state the run continues from, or null for a fresh run.</summary>
    public CheckpointState? Resumed { get; }

    /// <summary>Whether <paramref name="stage"/> finished before the checkpoint (a later stage was running).</summary>
    public bool Done(TrainingStage stage) => Resumed is { } state && state.Stage > stage;

    /// <summary>Where <paramref name="stage"/> continues, when the checkpoint was written during it.</summary>
    public ResumePoint? ResumePoint(TrainingStage stage) =>
        Resumed is { } state && state.Stage == stage
            ? new ResumePoint(state.Epoch + 1, optimizerState!, epoch => Checkpoints.LoadBest(ResumedDirectory, stage, epoch, network))
            : null;

    private string ResumedDirectory =>
        Directory.Exists(options.ResumeFrom) ? options.ResumeFrom : Path.GetDirectoryName(Path.GetFullPath(options.ResumeFrom!))!;

    /// <summary><paramref name="plan"/> with this run's resume point and per-epoch checkpoint writer for its stage.</summary>
    /// <param name="plan">The stage to run.</param>
    /// <param name="dimensions">The effective-dimension sets to record with each checkpoint.</param>
    public StagePlan Around(StagePlan plan, Func<EffectiveDimensions?> dimensions) =>
        plan with { Resume = ResumePoint(plan.Stage), Checkpoint = Writer(plan.Stage, dimensions) };

    /// <summary>The per-epoch checkpoint writer for <paramref name="stage"/>, or null without a checkpoint directory; the
    /// epoch that is best on validation so far is also written as <c>best-{stage}.bin</c>, which pruning never removes.</summary>
    public Action<int, OptimizerHelper, bool>? Writer(TrainingStage stage, Func<EffectiveDimensions?> dimensions)
    {
        if (options.CheckpointDirectory is not { } directory)
        {
            return null;
        }

        return (epoch, optimizer, bestOnValidation) =>
        {
            var sets = dimensions();
            var state = new CheckpointState(
                stage, epoch, history.ToList(),
                sets is null ? null : Enumerable.Range(0, sets.ModalityCount).Select(m => sets.Scores(m).ToArray()).ToArray(),
                sets is null ? null : Enumerable.Range(0, sets.ModalityCount).Select(m => sets.Dead(m).ToArray()).ToArray());
            Checkpoints.Save(directory, state, network, optimizer, options.CheckpointsToKeep);
            if (bestOnValidation)
            {
                Checkpoints.SaveBest(directory, state, network, optimizer);
            }
        };
    }
}
