package bot

// QuestionText exposes questionText to the external tests.
var QuestionText = questionText
