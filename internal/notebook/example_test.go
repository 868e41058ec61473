package notebook_test

import (
	"os"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/notebook"
)

func ExampleBook() {
	b := &notebook.Book{Redact: func(s string) string { return strings.ReplaceAll(s, "s3cret", "****") }}
	b.Heading(3, "Produce", "Send an order.")
	b.Step(3, 1, 1, "Send", "WriteMessages returns once the broker has the order.", "return w.WriteMessages(ctx, msg)")
	b.Output("  \x1b[32m✔ orders [1] @ 0\x1b[0m (password s3cret)\n") // from any goroutine
	b.Summary(3, []string{"A Writer sends."})
	b.WriteMarkdown(os.Stdout) // or b.WriteIPYNB(file)
	// Output:
	// ## Lesson 3 · Produce
	//
	// Send an order.
	//
	// ### Step 1/1 · Send
	//
	// WriteMessages returns once the broker has the order.
	//
	// ```go
	// return w.WriteMessages(ctx, msg)
	// ```
	//
	// ```text
	//   ✔ orders [1] @ 0 (password ****)
	// ```
	//
	// **What you learned in lesson 3**
	//
	// - A Writer sends.
}
