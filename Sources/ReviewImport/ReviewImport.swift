import ReviewCore
