package rnn

import "math"

// ChanceLoss is the validation loss of a network that has learnt nothing
// about the trials beyond their statistics: for seq_mem (MSE on values
// drawn from U(0,1)) predicting their mean, 1/12; for the n-back tasks
// (NLL of a match/non-match answer, half of the trials each) the even guess,
// ln 2. NaN for tasks without a known chance level.
func ChanceLoss(t Task) float64 {
	switch t {
	case TaskSeqMem:
		return 1.0 / 12
	case TaskNBackMem, TaskPicLatentMem:
		return math.Ln2
	}
	return math.NaN()
}
