// Command bot runs Todoku: the chat bot that tracks AliExpress parcels.
//
//	bot                 serve: web playground, webhooks, poller, dispatcher
//	bot chat            chat with the bot on this terminal
//	bot detect TEXT...  print the tracking numbers found in each TEXT as JSON
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // chats live in Asia/Tokyo and Asia/Bangkok wherever the bot runs
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
