// Package web is the local web playground: a chat page, served from assets
// embedded in the binary, that lets anyone try the bot without an account.
// What a visitor types goes to the bot core through a JSON endpoint; the
// dispatcher's pushes reach the page through a server-sent event stream.
package web
