package diff

import (
	"container/heap"
	"fmt"
	"sort"
	"strings"

	"ariga.io/atlas/sql/migrate"
)

// planNode is one step of a plan: Atlas's statement for one change, or the
// statements that create, alter or drop one object.
type planNode struct {
	id    int
	label string
	// prio orders steps that no dependency orders: drops of objects
	// first, then Atlas's changes in Atlas's order, then creations.
	prio, seq int
	changes   []*migrate.Change
	out       map[int]bool
	indeg     int
}

// planGraph holds the steps of a plan and the dependencies between them.
type planGraph struct {
	nodes []*planNode
}

func (g *planGraph) add(label string, prio, seq int, changes []*migrate.Change) *planNode {
	n := &planNode{id: len(g.nodes), label: label, prio: prio, seq: seq, changes: changes, out: map[int]bool{}}
	g.nodes = append(g.nodes, n)
	return n
}

// edge makes b run after a.
func (g *planGraph) edge(a, b *planNode) {
	if a == nil || b == nil || a == b || a.out[b.id] {
		return
	}
	a.out[b.id] = true
	b.indeg++
}

type nodeHeap []*planNode

func (h nodeHeap) Len() int { return len(h) }
func (h nodeHeap) Less(i, j int) bool {
	if h[i].prio != h[j].prio {
		return h[i].prio < h[j].prio
	}
	if h[i].seq != h[j].seq {
		return h[i].seq < h[j].seq
	}
	return h[i].id < h[j].id
}
func (h nodeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)   { *h = append(*h, x.(*planNode)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// order sorts the steps so that every step runs after those it depends
// on; among free steps the lowest (prio, seq) goes first. A cycle is an
// error that names it.
func (g *planGraph) order() ([]*planNode, error) {
	indeg := make([]int, len(g.nodes))
	h := &nodeHeap{}
	for _, n := range g.nodes {
		indeg[n.id] = n.indeg
		if n.indeg == 0 {
			heap.Push(h, n)
		}
	}
	var out []*planNode
	for h.Len() > 0 {
		n := heap.Pop(h).(*planNode)
		out = append(out, n)
		for _, m := range sortedIDs(n.out) {
			if indeg[m]--; indeg[m] == 0 {
				heap.Push(h, g.nodes[m])
			}
		}
	}
	if len(out) == len(g.nodes) {
		return out, nil
	}
	return nil, fmt.Errorf("cannot order the plan: dependency cycle: %s", g.cycle(indeg))
}

func sortedIDs(m map[int]bool) []int {
	ids := make([]int, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// cycle finds a cycle among the steps left unordered.
func (g *planGraph) cycle(indeg []int) string {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(g.nodes))
	var stack []int
	var found []int
	var visit func(int) bool
	visit = func(v int) bool {
		color[v] = grey
		stack = append(stack, v)
		for _, w := range sortedIDs(g.nodes[v].out) {
			if indeg[w] == 0 {
				continue
			}
			if color[w] == grey {
				for i, s := range stack {
					if s == w {
						found = append(append([]int(nil), stack[i:]...), w)
					}
				}
				return true
			}
			if color[w] == white && visit(w) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		color[v] = black
		return false
	}
	for _, n := range g.nodes {
		if indeg[n.id] > 0 && color[n.id] == white && visit(n.id) {
			break
		}
	}
	labels := make([]string, len(found))
	for i, id := range found {
		labels[i] = g.nodes[id].label
	}
	return strings.Join(labels, " -> ")
}
